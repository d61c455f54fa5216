/*
 * The admin's autocomplete fields (select2) name their selection box by the text it shows: an
 * empty one shows only its placeholder, and its role="textbox" box then has no accessible name
 * (axe's aria-input-field-name, issue 19). Each box is named after its field's label as soon as
 * it appears. Loaded by config.admin_input's autocomplete widgets.
 */
(function () {
  "use strict";

  function labelOf(select) {
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    return label ? label.textContent.trim() : select.name;
  }

  function nameBoxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var box = document.getElementById("select2-" + select.id + "-container");
      if (box && !box.hasAttribute("aria-label")) {
        box.setAttribute("aria-label", labelOf(select));
      }
    });
  }

  // The admin makes the boxes in a jQuery ready handler (run after a delay) and when an inline
  // row is added: name each box as it appears.
  document.addEventListener("DOMContentLoaded", function () {
    nameBoxes();
    new MutationObserver(nameBoxes).observe(document.body, { childList: true, subtree: true });
  });
})();
