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
  // <p data-countdown-to data-server-now data-template data-units>: the time left until the quiz
  // closes, counted on the server's clock (the offset to this device's clock is kept).
  function countDown() {
    document.querySelectorAll("[data-countdown-to]").forEach((node) => {
      const offsetMs = Date.parse(node.dataset.serverNow) - Date.now();
      const units = JSON.parse(node.dataset.units);
      const unit = (name, n) => units[name].replace("{n}", n);
      const paint = () => {
        let minutes = Math.max(0, Math.floor((Date.parse(node.dataset.countdownTo) - Date.now() - offsetMs) / 60000));
        const days = Math.floor(minutes / 1440);
        const hours = Math.floor((minutes % 1440) / 60);
        minutes %= 60;
        const parts = [];
        if (days) parts.push(unit("day", days));
        if (days || hours) parts.push(unit("hour", hours));
        parts.push(unit("minute", minutes));
        node.textContent = node.dataset.template.replace("{left}", parts.join(" "));
      };
      paint();
      setInterval(paint, 15000);
    });
  }

  const MESSAGES = JSON.parse(document.body.dataset.messages || "{}");

  // The browser's own checks speak its language ("Please fill out this field"): the page's
  // words replace them, whatever the browser's language.
  const CHECKS = ["valueMissing", "typeMismatch", "badInput", "rangeUnderflow", "rangeOverflow",
    "stepMismatch", "tooLong", "tooShort", "patternMismatch"];
  document.addEventListener(
    "invalid",
    (event) => {
      const field = event.target;
      field.setCustomValidity("");
      const failed = CHECKS.find((check) => field.validity[check]);
      if (!failed) return;
      let key = failed;
      if (failed === "valueMissing" && (field.type === "radio" || field.type === "checkbox" || field.tagName === "SELECT")) {
        key = "valueMissingChoice";
      }
      const text = (MESSAGES[key] || "").replace(/\{(\w+)\}/g, (_, name) => field.getAttribute(name) || "");
      if (text) field.setCustomValidity(text);
    },
    true
  );
  const clearCheck = (event) => event.target.setCustomValidity && event.target.setCustomValidity("");
  document.addEventListener("input", clearCheck, true);
  document.addEventListener("change", clearCheck, true);

  // <select data-new-topic="ID">: the field box [data-new-topic-field="ID"] for a new topic is
  // shown only while "Chủ đề mới" (value __new__) is chosen: a new topic only on purpose.
  function newTopicFields() {
    document.querySelectorAll("select[data-new-topic]").forEach((select) => {
      const box = document.querySelector(`[data-new-topic-field="${select.dataset.newTopic}"]`);
      if (!box) return;
      const paint = () => {
        box.hidden = select.value !== "__new__";
      };
      select.addEventListener("change", paint);
      paint();
    });
  }

  // File pickers: a button and the chosen file's name in the page's words, instead of the
  // browser's "Choose File / No file chosen". The real input stays, visually hidden.
  function dressFilePickers() {
    document.querySelectorAll("input[type=file]:not([data-dressed])").forEach((input) => {
      input.dataset.dressed = "1";
      input.classList.add("file-input");
      const button = document.createElement("label");
      button.className = "button small file-button";
      button.htmlFor = input.id;
      button.textContent = MESSAGES.chooseFile;
      const name = document.createElement("span");
      name.className = "file-name muted small";
      name.textContent = MESSAGES.noFile;
      const picker = document.createElement("span");
      picker.className = "file-picker";
      input.after(picker);
      picker.append(input, button, name);
      input.addEventListener("change", () => {
        name.textContent = input.files.length ? Array.from(input.files, (file) => file.name).join(", ") : MESSAGES.noFile;
      });
    });
  }

  function ready() {
    sizeBars();
    countDown();
    dressFilePickers();
    newTopicFields();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
