// What the pages once did in inline handlers (onclick=, onsubmit=, onchange=, style=), kept
// here so that the Content-Security-Policy can forbid inline script and style attributes.
(function () {
  "use strict";

  // <form data-confirm="..."> or <button data-confirm="...">: ask before sending. Captured
  // before the form's own handlers, so that a "no" stops them too.
  document.addEventListener(
    "submit",
    (event) => {
      const button = event.submitter;
      const message = (button && button.dataset.confirm) || event.target.dataset.confirm;
      if (message && !window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  // <a data-print>: print the page.
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("[data-print]");
    if (link) {
      event.preventDefault();
      window.print();
    }
  });

  // <select data-autosubmit>: send its form when the choice changes.
  document.addEventListener("change", (event) => {
    const field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.submit();
  });

  // Bars: data-width / data-height in percent, set through the CSSOM (allowed by the CSP).
  function sizeBars() {
    document.querySelectorAll("[data-width]").forEach((bar) => {
      bar.style.width = bar.dataset.width + "%";
    });
    document.querySelectorAll("[data-height]").forEach((bar) => {
      bar.style.height = bar.dataset.height + "%";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", sizeBars);
  else sizeBars();
})();
