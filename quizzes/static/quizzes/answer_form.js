// Answer forms (practice and quizzes).
//
// While "The program prints nothing" is ticked, the text box is greyed out and left out of the
// form, so the answer is exactly "prints nothing". Its text is kept, and comes back when the box
// is unticked. Without JavaScript the server asks the student to clear one or the other instead.
//
// A practice answer is not saved until it is checked, so a form marked data-keep-draft keeps its
// text in this browser until then (a reload or a closed tab finds it again), and leaving the page
// with text typed but not checked warns. Quiz answers are saved on the server by attempt.js.
"use strict";

(function () {
  const DRAFT_PREFIX = "memory-model:practice-draft:";

  function sync(form) {
    const box = form.querySelector('input[type="checkbox"][name$="prints_nothing"]');
    const text = form.querySelector('textarea[name$="answer_text"]');
    if (!box || !text || form.dataset.final) return;
    text.disabled = box.checked;
  }

  function storage(action) {
    try {
      return action(window.localStorage);
    } catch (storageUnavailable) {
      return null; // private browsing or storage turned off: nothing is kept
    }
  }

  function keepDrafts(form) {
    const text = form.querySelector('textarea[name$="answer_text"]');
    if (!text) return;
    const key = DRAFT_PREFIX + form.action;
    let submitting = false;
    if (!text.value) {
      const kept = storage(function (store) {
        return store.getItem(key);
      });
      if (kept) text.value = kept;
    }
    text.addEventListener("input", function () {
      storage(function (store) {
        if (text.value.trim()) store.setItem(key, text.value);
        else store.removeItem(key);
      });
    });
    form.addEventListener("submit", function () {
      submitting = true;
      storage(function (store) {
        store.removeItem(key);
      });
    });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || text.disabled || !text.value.trim()) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  document.querySelectorAll("form.answer-form").forEach(function (form) {
    if (form.hasAttribute("data-keep-draft")) keepDrafts(form);
    sync(form);
    form.addEventListener("change", function (event) {
      if (event.target.matches('input[type="checkbox"][name$="prints_nothing"]')) sync(form);
    });
  });

  window.AnswerForm = { sync: sync };
})();
