// Answer forms (practice and quizzes): while "The program prints nothing" is ticked, the text box
// is greyed out and left out of the form, so the answer is exactly "prints nothing". Its text is
// kept, and comes back when the box is unticked. Without JavaScript the server asks the student
// to clear one or the other instead.
"use strict";

(function () {
  function sync(form) {
    const box = form.querySelector('input[type="checkbox"][name$="prints_nothing"]');
    const text = form.querySelector('textarea[name$="answer_text"]');
    if (!box || !text || form.dataset.final) return;
    text.disabled = box.checked;
  }

  document.querySelectorAll("form.answer-form").forEach(function (form) {
    sync(form);
    form.addEventListener("change", function (event) {
      if (event.target.matches('input[type="checkbox"][name$="prints_nothing"]')) sync(form);
    });
  });

  window.AnswerForm = { sync: sync };
})();
