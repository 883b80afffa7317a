// Buttons marked data-once are disabled after the first press; the server guards too.
(function () {
  "use strict";
  document.querySelectorAll("input[data-once], button[data-once]").forEach(function (button) {
    button.form.addEventListener("submit", function () {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();
