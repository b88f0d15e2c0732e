// Quick add under each programme day: Enter saves the lines typed, Shift+Enter starts another line,
// and the box grows with its lines where the browser cannot size it by CSS (field-sizing).
// Without this file the form still works: the button saves, Enter starts a new line.
(function () {
  "use strict";

  function grow(box) {
    if (CSS.supports("field-sizing", "content")) {
      return;
    }
    box.rows = Math.min(Math.max(box.value.split("\n").length, 1), 15);
  }

  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.hasAttribute("data-quick-add")) {
      return;
    }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && box.value.trim() !== "") {
      event.preventDefault();
      box.form.requestSubmit();
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target instanceof HTMLTextAreaElement && event.target.hasAttribute("data-quick-add")) {
      grow(event.target);
    }
  });

  document.querySelectorAll("textarea[data-quick-add]").forEach(grow);
})();
