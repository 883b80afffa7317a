// The survey answer page: shows conditional questions as answers change and saves the
// draft in the background. Without JavaScript every question shows with its condition in
// words, and the Save button does the same save; the server decides what counts.
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form");
  if (!form) { return; }

  function chosen(name) {
    var values = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      if (input.checked) { values.push(input.value); }
    });
    return values;
  }

  function applyConditions() {
    form.querySelectorAll("[data-show-when]").forEach(function (block) {
      var wanted = block.getAttribute("data-show-values").split(",");
      var parent = form.querySelector("[name='" + block.getAttribute("data-show-when") + "']");
      var parentBlock = parent ? parent.closest(".survey-question") : null;
      var parentShown = !parentBlock || !parentBlock.hidden;
      var show = parentShown && chosen(block.getAttribute("data-show-when")).some(function (v) {
        return wanted.indexOf(v) !== -1;
      });
      block.hidden = !show;
    });
  }

  var status = form.querySelector("[data-autosave-status]");
  var notice = form.querySelector("[data-autosave-notice]");
  var version = form.querySelector("input[name='version']");
  var timer = null;
  var stopped = false;
  var inFlight = false;
  var again = false;

  // One save at a time, so that an older save never lands after a newer one.
  function autosave() {
    if (stopped) { return; }
    if (inFlight) { again = true; return; }
    inFlight = true;
    var data = new FormData(form);
    fetch(form.getAttribute("data-autosave-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) {
        stopped = true;
        notice.textContent = result.body.error;
        notice.classList.remove("d-none");
        return;
      }
      status.textContent = result.body.status;
      if (result.body.others) {
        // Keep the old version: the other contact's answers stay protected until reload.
        notice.textContent = result.body.notice + (result.body.kept.length ? " (" + result.body.kept.join(" / ") + ")" : "");
        notice.classList.remove("d-none");
      } else {
        version.value = result.body.version;
      }
    }).catch(function () { /* offline: the Save button still works */ }).then(function () {
      inFlight = false;
      if (again) { again = false; autosave(); }
    });
  }

  form.addEventListener("change", function () {
    applyConditions();
    window.clearTimeout(timer);
    timer = window.setTimeout(autosave, 800);
  });
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(autosave, 2000);
  });
  form.addEventListener("submit", function () { window.clearTimeout(timer); stopped = true; });
  applyConditions();
})();
