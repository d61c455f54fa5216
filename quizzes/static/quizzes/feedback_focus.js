/*
 * A practice answer's feedback page (issue 19): the focus starts on the verdict, so a keyboard or
 * screen-reader user lands on the feedback to the answer just sent, not on the navbar above it.
 */
(function () {
  "use strict";

  function focusVerdict() {
    var verdict = document.querySelector("main .feedback-verdict");
    if (!verdict || window.location.hash) {
      return;
    }
    verdict.tabIndex = -1;
    verdict.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusVerdict);
  } else {
    focusVerdict();
  }
})();
