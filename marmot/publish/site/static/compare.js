/* Compare two indicators across wards: redraws the scatter (the same SVG as site/explore.py draws for the default
   pair) and its table when the reader picks another pair. Data: the JSON in #compare-data. No network. */
(function () {
  "use strict";
  var W = 560, H = 380, L = 64, B = 52, P = 16, NS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("compare-data").textContent);
  var byId = {};
  data.forEach(function (d) { byId[d.id] = d; });
  var selX = document.getElementById("ind-x"), selY = document.getElementById("ind-y");
  var box = document.getElementById("scatter-box"), rows = document.getElementById("scatter-rows");
  var caption = document.getElementById("scatter-caption"), status = document.getElementById("scatter-status");
  var heads = {x: document.getElementById("scatter-x-h"), y: document.getElementById("scatter-y-h")};

  function num(v) { return v.toLocaleString("en-GB", {minimumFractionDigits: 1, maximumFractionDigits: 1}); }
  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function range(values) {
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values), pad = (hi - lo) * 0.08 || 1;
    return [lo - pad, hi + pad];
  }
  function pairs(a, b) {
    return Object.keys(a.wards).sort().filter(function (w) { return w in b.wards; })
      .map(function (w) { return [w, a.wards[w], b.wards[w]]; });
  }
  function draw() {
    var a = byId[selX.value], b = byId[selY.value], pts = pairs(a, b);
    var title = a.name + " (" + a.period + ") against " + b.name + " (" + b.period + "), by ward";
    box.textContent = "";
    if (!pts.length) {
      var p = document.createElement("p");
      p.textContent = "No ward has a value of both indicators.";
      box.appendChild(p);
    } else {
      var xr = range(pts.map(function (q) { return q[1]; })), yr = range(pts.map(function (q) { return q[2]; }));
      var pw = W - L - P, ph = H - B - P;
      var sx = function (v) { return L + (v - xr[0]) / (xr[1] - xr[0]) * pw; };
      var sy = function (v) { return P + (yr[1] - v) / (yr[1] - yr[0]) * ph; };
      var svg = el("svg", {id: "scatter", "class": "scatter", role: "img", "aria-labelledby": "scatter-t scatter-d",
                           viewBox: "0 0 " + W + " " + H, width: W, height: H, focusable: "false"});
      svg.appendChild(el("title", {id: "scatter-t"}, title));
      svg.appendChild(el("desc", {id: "scatter-d"}, pts.length + " wards with a value of both; each point is a " +
                                                    "ward. Figures in the table below."));
      svg.appendChild(el("rect", {"class": "plot", x: L, y: P, width: pw, height: ph}));
      for (var i = 0; i < 5; i++) {
        var tx = xr[0] + i * (xr[1] - xr[0]) / 4, ty = yr[0] + i * (yr[1] - yr[0]) / 4;
        svg.appendChild(el("text", {"class": "tick", x: sx(tx).toFixed(1), y: H - B + 18, "text-anchor": "middle"},
                           num(tx)));
        svg.appendChild(el("text", {"class": "tick", x: L - 6, y: (sy(ty) + 4).toFixed(1), "text-anchor": "end"},
                           num(ty)));
      }
      svg.appendChild(el("text", {"class": "axis", x: L + pw / 2, y: H - 8, "text-anchor": "middle"},
                         a.name + " (" + a.unit + ")"));
      svg.appendChild(el("text", {"class": "axis", transform: "translate(14 " + (P + ph / 2) + ") rotate(-90)",
                                  "text-anchor": "middle"}, b.name + " (" + b.unit + ")"));
      pts.forEach(function (q) {
        var c = el("circle", {"class": "point", cx: sx(q[1]).toFixed(1), cy: sy(q[2]).toFixed(1), r: 6});
        c.appendChild(el("title", {}, q[0] + ": " + num(q[1]) + " " + a.unit + ", " + num(q[2]) + " " + b.unit));
        svg.appendChild(c);
      });
      box.appendChild(svg);
    }
    caption.textContent = title;
    heads.x.textContent = a.name + " (" + a.unit + ")";
    heads.y.textContent = b.name + " (" + b.unit + ")";
    rows.textContent = "";
    pts.forEach(function (q) {
      var tr = document.createElement("tr"), th = document.createElement("th");
      th.setAttribute("scope", "row");
      th.textContent = q[0];
      tr.appendChild(th);
      [q[1], q[2]].forEach(function (v) {
        var td = document.createElement("td");
        td.className = "num";
        td.textContent = num(v);
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    status.textContent = "Showing " + title + ": " + pts.length + " wards.";
  }
  document.getElementById("compare-form").addEventListener("submit", function (e) { e.preventDefault(); draw(); });
  selX.addEventListener("change", draw);
  selY.addEventListener("change", draw);
  document.getElementById("compare-submit").hidden = true; /* the pickers redraw as they change */
})();
