// A little help where JavaScript runs; every page works without it.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so screen reader and keyboard users hear what to fix.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
  // Ask before irreversible actions (the form still posts without JavaScript).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // Prevent double submission of a form.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      window.setTimeout(function () {
        if (event.defaultPrevented) { return; }
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
});
