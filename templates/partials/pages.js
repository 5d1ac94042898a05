// termshift pages: progressive enhancement only; every form works without this script.
(function () {
  "use strict";
  // Drag and drop onto the upload area fills its file input.
  document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    var list = zone.querySelector("[data-filelist]");
    if (!input) { return; }
    function show() {
      if (!list) { return; }
      var names = [];
      for (var i = 0; i < input.files.length; i++) { names.push(input.files[i].name); }
      list.textContent = names.length ? names.join(", ") : "";
    }
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        show();
      }
    });
    input.addEventListener("change", show);
  });
  // Buttons that destroy something ask first.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // "Compare selected" needs exactly two ticked documents, a batch of them at least two.
  document.querySelectorAll("[data-pick-two]").forEach(function (form) {
    var button = form.querySelector("[data-pick-two-submit]");
    var many = form.querySelector("[data-pick-many-submit]");
    function update() {
      var ticked = form.querySelectorAll("input[name=doc]:checked").length;
      if (button) { button.disabled = ticked !== 2; }
      if (many) { many.disabled = ticked < 2; }
    }
    form.addEventListener("change", update);
    update();
  });
})();
