(function () {
  "use strict";
  function checkedValues(name) {
    return Array.prototype.map.call(document.querySelectorAll('input[name="' + name + '"]:checked'),
      function (el) { return el.value; });
  }
  function applyFilters() {
    var sev = checkedValues("severity"), cat = checkedValues("category"), kind = checkedValues("kind");
    var hasSevBoxes = document.querySelector('input[name="severity"]') !== null;
    var hideDismissed = document.getElementById("hide-dismissed");
    var hidingDismissed = hideDismissed !== null && hideDismissed.checked;
    if (document.body.dataset.page !== "analysis") document.querySelectorAll("[data-severity]").forEach(function (el) {
      // A page without severity boxes (the timeline) filters nothing by severity.
      var okSev = !hasSevBoxes || sev.indexOf(el.dataset.severity) >= 0;
      var okCat = !el.dataset.category || cat.length === 0 || cat.indexOf(el.dataset.category) >= 0;
      var okTriage = !hidingDismissed || el.querySelector('.triage[data-state="dismissed"]') === null;
      el.classList.toggle("hidden", !(okSev && okCat && okTriage));
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
  // Triage controls (the web app's report): save a finding's state without a reload. The
  // form posts on its own where this script does not run.
  var triageSummary = document.getElementById("triage-summary");
  function triageSaved(form, data) {
    var box = form.closest(".triage");
    var state = data.triage.state;
    box.dataset.state = state;
    box.querySelector(".triage-status").innerHTML = data.status_html;
    form.querySelectorAll('button[name="state"]').forEach(function (b) {
      if (b.value === "open") { b.hidden = state === "open"; }
      else { b.setAttribute("aria-pressed", String(b.value === state)); }
    });
    form.elements.note.value = data.triage.note || "";
    form.elements.reason.value = data.triage.reason || "";
    if (triageSummary) triageSummary.textContent = data.summary_text;
    applyFilters();
  }
  document.querySelectorAll("form[data-triage-form]").forEach(function (form) {
    var pressed = null;
    var message = form.querySelector(".triage-message");
    function say(text, isError) {
      message.textContent = text;
      message.classList.toggle("error", Boolean(isError));
    }
    form.addEventListener("click", function (event) {
      var button = event.target.closest('button[name="state"]');
      if (button) pressed = button;
    });
    form.addEventListener("submit", function (event) {
      var button = event.submitter || pressed;
      if (!button || !window.fetch) return;
      event.preventDefault();
      var state = button.value;
      if (state === "dismissed" && !form.elements.reason.value.trim()) {
        say("Write the reason for dismissing it first, then press Dismiss.", true);
        form.elements.reason.focus();
        return;
      }
      var body = new URLSearchParams(new FormData(form));
      body.set("state", state);
      say("Saving…", false);
      fetch(form.action, {method: "POST", body: body, credentials: "same-origin",
                          headers: {"Accept": "application/json"}})
        .then(function (response) {
          return response.json().then(function (data) { return {ok: response.ok, data: data}; });
        })
        .then(function (answer) {
          if (!answer.ok) {
            say((answer.data.error && answer.data.error.message) || "It could not be saved.", true);
            return;
          }
          triageSaved(form, answer.data);
          say("Saved.", false);
        })
        .catch(function () { say("The server could not be reached; nothing was saved. Try again.", true); });
    });
  });
  applyFilters();
})();
