/* Search the indicators offline: filters the list of every indicator (shown whole without JavaScript) by the words
   typed, against name, principle, unit and definition (the JSON in #search-data). */
(function () {
  "use strict";
  var index = JSON.parse(document.getElementById("search-data").textContent);
  var input = document.getElementById("q"), status = document.getElementById("search-status");
  var items = {};
  document.querySelectorAll("#results li[data-id]").forEach(function (li) { items[li.dataset.id] = li; });
  function norm(s) { return (s || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, ""); }
  var texts = index.map(function (d) {
    return {id: d.id, text: norm([d.name, d.principle, d.unit, d.definition].join(" "))};
  });
  function filter() {
    var words = norm(input.value).split(/\s+/).filter(Boolean), shown = 0;
    texts.forEach(function (t) {
      var hit = words.every(function (w) { return t.text.indexOf(w) !== -1; });
      items[t.id].hidden = !hit;
      if (hit) { shown++; }
    });
    status.textContent = words.length ? shown + " of " + texts.length + " indicators match." :
      "All " + texts.length + " indicators.";
  }
  document.getElementById("search-form").addEventListener("submit", function (e) { e.preventDefault(); filter(); });
  input.addEventListener("input", filter);
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { input.value = q; }
  filter();
})();
