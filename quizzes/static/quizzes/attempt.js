// Attempt page: save each answer as it is given (the "Save answer" buttons do the same without
// JavaScript) and count down to the deadline. The server enforces the deadline either way.
"use strict";

(function () {
  function setStatus(form, text, isError) {
    const status = form.querySelector(".save-status");
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("text-danger", Boolean(isError));
    status.classList.toggle("text-body-secondary", !isError);
  }

  function showErrors(form, errors) {
    const messages = Object.values(errors || {}).flat().map(function (error) {
      return typeof error === "string" ? error : error.message;
    });
    setStatus(form, messages.join(" ") || "Not saved.", true);
  }

  function answerOf(form) {
    const fields = new FormData(form);
    fields.delete("csrfmiddlewaretoken");
    return new URLSearchParams(fields).toString();
  }

  async function save(form) {
    // An answer whose feedback is shown is final; a save queued behind it (the "change" of
    // leaving the text box, then the button's "submit") has nothing left to send.
    if (form.dataset.final) return;
    // The same answer is sent once, even when both "change" and "submit" fire for it.
    const answer = answerOf(form);
    if (answer === form.dataset.lastSaved) return;
    setStatus(form, "Saving…", false);
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (networkError) {
      setStatus(form, "Not saved: no connection. Try the Save answer button again.", true);
      return;
    }
    let data = {};
    try {
      data = await response.json();
    } catch (notJson) {
      setStatus(form, "Not saved (server error " + response.status + ").", true);
      return;
    }
    if (data.redirect) {
      window.location.assign(data.redirect);
      return;
    }
    if (!response.ok || !data.saved) {
      if (data.error) setStatus(form, data.error, true);
      else showErrors(form, data.errors);
      return;
    }
    form.dataset.lastSaved = answer;
    // The quiz's closing time may have moved since the page loaded; the countdown follows it.
    const countdown = document.getElementById("countdown");
    if (countdown && data.deadline) countdown.dataset.deadline = data.deadline;
    const savedAt = new Date(data.answered_at).toLocaleTimeString();
    setStatus(form, "Saved " + savedAt, false);
    if (data.feedback_html) {
      // Feedback after each answer: the answer is final now, so the form gives way to it.
      const section = form.closest(".attempt-question");
      form.dataset.final = "1";
      const slot = section.querySelector(".feedback-slot");
      slot.innerHTML = data.feedback_html;
      // The feedback may hold a memory diagram, drawn by diagram.js once it is on the page.
      if (window.MemoryDiagram) window.MemoryDiagram.initAll(slot);
      form.querySelectorAll("input, textarea, button").forEach(function (el) {
        el.disabled = true;
      });
    }
  }

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    // Saves of one form run one after another, so the last answer given is the one kept.
    let queue = Promise.resolve();
    const enqueue = function () {
      queue = queue.then(function () {
        return save(form);
      });
    };
    if (form.querySelector(".save-status").dataset.saved) form.dataset.lastSaved = answerOf(form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      enqueue();
    });
    // Radios save when picked; typed answers when the text box loses focus after a change.
    form.addEventListener("change", enqueue);
    form.addEventListener("input", function () {
      setStatus(form, "Unsaved changes", false);
    });
  });

  const countdown = document.getElementById("countdown");
  if (countdown) {
    const tick = function () {
      const deadline = new Date(countdown.dataset.deadline).getTime();
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      const minutes = Math.floor(left / 60);
      const seconds = String(left % 60).padStart(2, "0");
      countdown.textContent = "Time left " + minutes + ":" + seconds;
      countdown.classList.toggle("text-bg-danger", left <= 60);
      countdown.classList.toggle("text-bg-dark", left > 60);
      if (left === 0) {
        clearInterval(timer);
        // The server submits the attempt when its time is up; reloading shows the result.
        window.location.reload();
      }
    };
    const timer = setInterval(tick, 1000);
    tick();
  }
})();
