// The score sheet: the running total as the judge types, and every faulty field marked at once
// with the app's own messages before the form goes. The server checks again and decides.
(function () {
  "use strict";
  const form = document.getElementById("score-form");
  const output = document.getElementById("score-total");
  const summary = document.getElementById("score-errors");
  if (!form || !output) return;
  const pointFields = () => Array.from(form.querySelectorAll("input[data-max]"));

  form.addEventListener("input", () => {
    let total = 0;
    pointFields().forEach((input) => {
      const value = parseFloat(input.value.replace(",", "."));
      if (!isNaN(value)) total += value;
    });
    output.textContent = String(Math.round(total * 100) / 100).replace(".", ",");
  });

  // The server's rules (contest.judging.services.parse_points): '35', '35,5', '35.25'.
  function pointsFault(input, submitting) {
    const text = input.value.trim().replace(",", ".");
    if (!text) return submitting ? input.dataset.needed : "";
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return input.dataset.notANumber;
    const decimals = text.includes(".") ? text.split(".")[1].length : 0;
    if (decimals > 2) return input.dataset.decimals;
    const value = Number(text);
    if (value < 0 || value > Number(input.dataset.max)) return input.dataset.range;
    return "";
  }

  function mark(field, fault) {
    const message = document.getElementById(field.getAttribute("aria-describedby"));
    if (message) message.textContent = fault;
    const cell = field.closest("td, .field");
    if (cell) cell.classList.toggle("has-error", Boolean(fault));
    if (fault) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
    return Boolean(fault);
  }

  // On the window, in the capture phase: before app.js asks "Submit this score?", so that a
  // judge is never asked to confirm a sheet that cannot be sent.
  window.addEventListener(
    "submit",
    (event) => {
      if (event.target !== form) return;
      const action = event.submitter ? event.submitter.value : "draft";
      const faulty = [];
      if (action === "conflict") {
        const reason = form.querySelector("textarea[data-needed]");
        if (mark(reason, reason.value.trim() ? "" : reason.dataset.needed)) faulty.push(reason);
      } else {
        pointFields().forEach((input) => {
          if (mark(input, pointsFault(input, action === "submit"))) faulty.push(input);
        });
      }
      if (!faulty.length) {
        summary.textContent = "";
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      summary.textContent =
        faulty.length === 1
          ? document.getElementById(faulty[0].getAttribute("aria-describedby")).textContent
          : form.dataset.checkFields.replace("{count}", faulty.length);
      faulty[0].focus();
    },
    true
  );
})();
