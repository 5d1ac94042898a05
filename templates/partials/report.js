(function () {
  "use strict";
  function checkedValues(name) {
    return Array.prototype.map.call(document.querySelectorAll('input[name="' + name + '"]:checked'),
      function (el) { return el.value; });
  }
  function applyFilters() {
    var sev = checkedValues("severity"), cat = checkedValues("category"), kind = checkedValues("kind");
    var hasSevBoxes = document.querySelector('input[name="severity"]') !== null;
    if (document.body.dataset.page !== "analysis") document.querySelectorAll("[data-severity]").forEach(function (el) {
      // A page without severity boxes (the timeline) filters nothing by severity.
      var okSev = !hasSevBoxes || sev.indexOf(el.dataset.severity) >= 0;
      var okCat = !el.dataset.category || cat.length === 0 || cat.indexOf(el.dataset.category) >= 0;
      el.classList.toggle("hidden", !(okSev && okCat));
    });
    document.querySelectorAll("[data-kind]").forEach(function (el) {
      var okKind = kind.length === 0 || kind.indexOf(el.dataset.kind) >= 0;
      var cats = (el.dataset.clauseCategories || "").split(" ").filter(Boolean);
      var okCat = cat.length === 0 || cats.some(function (c) { return cat.indexOf(c) >= 0; });
      el.classList.toggle("hidden", !(okKind && okCat));
    });
    var counter = document.getElementById("findings-shown");
    if (counter) {
      var all = document.querySelectorAll("article.finding").length;
      var shown = document.querySelectorAll("article.finding:not(.hidden)").length;
      counter.textContent = shown === all ? String(all) : shown + " of " + all + " shown";
      var none = document.getElementById("findings-none");
      if (none) none.hidden = !(all > 0 && shown === 0);
    }
    if (document.body.dataset.page === "analysis") {
      document.querySelectorAll("[data-categories]").forEach(function (el) {
        var cats = (el.dataset.categories || "").split(" ").filter(Boolean);
        var show = cat.length === 0 || cats.some(function (c) { return cat.indexOf(c) >= 0; });
        el.classList.toggle("hidden", !show);
      });
    }
  }
  document.querySelectorAll(".filters input").forEach(function (el) { el.addEventListener("change", applyFilters); });
  var side = document.getElementById("toggle-side");
  if (side) side.addEventListener("change", function () { document.body.classList.toggle("side-by-side", side.checked); });
  var unchanged = document.getElementById("toggle-unchanged");
  if (unchanged) unchanged.addEventListener("change", function () { document.body.classList.toggle("show-unchanged", unchanged.checked); });
  applyFilters();
})();
