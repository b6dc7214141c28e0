// The running total as the judge types; the server computes the real one.
(function () {
  const form = document.getElementById("score-form");
  const output = document.getElementById("score-total");
  if (!form || !output) return;
  form.addEventListener("input", () => {
    let total = 0;
    form.querySelectorAll("input[data-max]").forEach((input) => {
      const value = parseFloat(input.value.replace(",", "."));
      if (!isNaN(value)) total += value;
    });
    output.textContent = String(Math.round(total * 100) / 100).replace(".", ",");
  });
})();
