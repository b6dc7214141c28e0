// Filter-as-you-type for the long unit list of the registration form (progressive enhancement:
// without this script the plain <select> works). Typing "tu phap" finds "Sở Tư pháp": case,
// diacritics and đ are ignored. Options are removed and put back rather than hidden, because
// phones' native pickers show hidden options anyway.
(function () {
  "use strict";

  function fold(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  }

  function enhance(container) {
    var select = container.querySelector("select");
    if (!select) return;
    // The list as the server sent it: the empty choice, then each group with its units.
    var empty = select.options[0] && select.options[0].value === "" ? select.options[0] : null;
    var groups = [];
    Array.prototype.forEach.call(select.children, function (child) {
      if (child.tagName === "OPTGROUP") {
        groups.push({
          element: child,
          options: Array.prototype.map.call(child.children, function (option) {
            return { element: option, key: fold(option.textContent) };
          }),
        });
      }
    });

    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "-filter";
    input.autocomplete = "off";
    input.setAttribute("aria-controls", select.id);
    var label = document.createElement("label");
    label.htmlFor = input.id;
    label.className = "small muted";
    label.textContent = container.getAttribute("data-filter-label");
    var note = document.createElement("p");
    note.className = "small muted";
    note.setAttribute("role", "status");
    container.insertBefore(note, select);
    container.insertBefore(input, note);
    container.insertBefore(label, input);

    function apply() {
      var words = fold(input.value).split(" ").filter(Boolean);
      var chosen = select.value;
      var matches = [];
      groups.forEach(function (group) {
        while (group.element.firstChild) group.element.removeChild(group.element.firstChild);
        group.options.forEach(function (option) {
          var match = words.every(function (word) {
            return option.key.indexOf(word) !== -1;
          });
          if (match) {
            group.element.appendChild(option.element);
            matches.push(option.element);
          }
        });
        if (group.element.children.length && !group.element.parentNode) {
          select.appendChild(group.element);
        } else if (!group.element.children.length && group.element.parentNode) {
          select.removeChild(group.element);
        }
      });
      // Keep the groups in their order after putting some back.
      groups.forEach(function (group) {
        if (group.element.parentNode) select.appendChild(group.element);
      });
      if (words.length && matches.length === 1) {
        matches[0].selected = true; // one unit left: it is the one meant, and shown as chosen
      } else if (!matches.some(function (option) { return option.value === chosen; }) && empty) {
        empty.selected = true;
      } else {
        select.value = chosen;
      }
      note.textContent = words.length && !matches.length ? container.getAttribute("data-filter-empty") : "";
    }

    input.addEventListener("input", apply);
    // Enter in the search box must not submit a half-filled form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
  }

  document.querySelectorAll("[data-unit-filter]").forEach(enhance);
})();
