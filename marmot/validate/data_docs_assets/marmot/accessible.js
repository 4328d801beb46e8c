/* Marmot's accessibility fixes of GX's Data Docs (marmot/validate/data_docs.py): bootstrap-table draws its filter
   controls (selects, text and date inputs) in the table head without labels, each is named after its column; and
   its table bodies scroll sideways on a phone, so each is a focusable, named region a keyboard can scroll. */
(function () {
  "use strict";
  function label() {
    document.querySelectorAll("select:not([aria-label]), input:not([aria-label]):not([type=hidden])")
      .forEach(function (el) {
        if (el.labels && el.labels.length) { return; }
        var th = el.closest("th"), inner = th && th.querySelector(".th-inner");
        var name = ((inner || th || {}).textContent || "").trim();
        el.setAttribute("aria-label", name ? "Filter by " + name : (el.getAttribute("placeholder") || "Filter"));
      });
  }
  var tables = 0;
  function scrollable() {
    document.querySelectorAll(".fixed-table-body:not([tabindex])").forEach(function (el) {
      tables += 1;
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", "Table " + tables + " (scrolls sideways)");
    });
  }
  function fix() { label(); scrollable(); }
  new MutationObserver(fix).observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener("DOMContentLoaded", fix);
})();
