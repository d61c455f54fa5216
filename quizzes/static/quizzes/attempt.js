// Attempt page: save each answer as it is given (the "Save answer" buttons do the same without
// JavaScript) and count down to the deadline. The server enforces the deadline either way.
//
// Typed text is saved as a draft DEBOUNCE_MS after the last keystroke, and at once when the page is
// hidden or left (a keep-alive request, which outlives the page). A save the server is too busy
// to take is sent again, with backoff, until it is taken. The text is also kept in this browser,
// so a reload straight after typing finds it even if the page went before its request did; and
// leaving the page warns. A reload can be served before a save sent just ahead of it (a
// keep-alive flush) and show the server's older copy, while the old page still hears that the
// save went through: so the kept copy is not dropped on a save, it records the server's version
// of it (the answer's answered_at), and a page compares it with the version it was served.
//
// Each save also says which of the server's versions its text was typed over ("base"), and the
// server refuses one whose base is older than the answer it holds (409, "changed"): a keep-alive
// save from a page that has gone, landing after a reloaded page or another tab saved newer text,
// must not replace it. Told so, a page keeps the text in its box and says the answer was changed
// elsewhere; it sends no more drafts of it (a student who has not seen the other copy has not
// chosen to replace it), until the student presses Save answer, which sends the text with no
// base: replacing the other copy is then their choice. Reloading shows the other copy instead.
// A page's own saves can cross too (the flush on hiding it runs beside a save under way, or a
// save left under way by the page before a reload lands after the reload was served): a refusal
// by a version this page (or that one) saved is sent again once, over that version.
"use strict";

(function () {
  const DEBOUNCE_MS = 800;
  const FLUSH_BEFORE_DEADLINE_S = 3;
  const KEPT_PREFIX = "memory-model:unsaved:";
  const KEPT_FOR_MS = 7 * 24 * 3600 * 1000;
  // The answers sent whose fate is unknown that are remembered (the newest): enough for saves
  // that failed to connect in a row.
  const MAX_IN_FLIGHT = 10;
  const BLANK = "Not saved: type what it prints, or tick “The program prints nothing”.";
  const CHANGED_ELSEWHERE =
    "Not saved: this answer was changed in another tab or window. Press Save answer to keep " +
    "this text instead, or reload the page to see the other one.";
  // Answers the server could not take in time (a busy database: 503 with Retry-After; a proxy's
  // 502 or 504) are sent again after Retry-After, the wait doubling each time up to RETRY_CAP_S.
  const RETRIED_STATUSES = [502, 503, 504];
  const RETRY_CAP_S = 30;
  const states = new Map();
  let leaving = false; // the page is reloading by itself: nothing to warn about

  function setStatus(form, text, state) {
    const status = form.querySelector(".save-status");
    if (!status) return;
    status.textContent = text;
    status.dataset.state = state;
    status.classList.toggle("text-danger", state === "error");
    status.classList.toggle("text-warning-emphasis", state === "unsaved");
    status.classList.toggle("text-body-secondary", state === "saved" || state === "saving");
  }

  function statusState(form) {
    const status = form.querySelector(".save-status");
    return status ? status.dataset.state : "";
  }

  function showErrors(form, errors) {
    const messages = Object.values(errors || {}).flat().map(function (error) {
      return typeof error === "string" ? error : error.message;
    });
    setStatus(form, "Not saved: " + (messages.join(" ") || "the server refused it."), "error");
  }

  function answerOf(form) {
    const fields = new FormData(form);
    fields.delete("csrfmiddlewaretoken");
    return new URLSearchParams(fields).toString();
  }

  // Whether the form holds an answer the server can take: some text, a ticked box, a choice.
  function hasAnswer(form) {
    const fields = new FormData(form);
    fields.delete("csrfmiddlewaretoken");
    return Array.from(fields.values()).some(function (value) {
      return String(value).trim() !== "";
    });
  }

  function isUnsaved(form) {
    const state = states.get(form);
    return !form.dataset.final && hasAnswer(form) && answerOf(form) !== state.saved;
  }

  // --- the copy kept in this browser until the server has the answer --------------------------

  function keptKey(form) {
    return KEPT_PREFIX + form.action;
  }

  // The kept copy: `answer` as typed; `base`, the server version it was typed over; `sent`, the
  // answers this page sent whose replies it has not seen (a reload may be served after they
  // landed); `confirmed`, the version at which the server took exactly `answer`, once it did.
  function keep(form) {
    const state = states.get(form);
    let kept = null;
    if (form.dataset.final) {
      kept = null; // checked and shown with its feedback: the server's copy is the answer
    } else if (isUnsaved(form)) {
      kept = { answer: answerOf(form), base: state.version, sent: state.inFlight.slice() };
    } else if (state.confirmedHere && state.saved === answerOf(form)) {
      kept = { answer: state.saved, confirmed: state.version };
    }
    try {
      if (kept) {
        kept.at = Date.now();
        localStorage.setItem(keptKey(form), JSON.stringify(kept));
      } else {
        localStorage.removeItem(keptKey(form));
      }
    } catch (storageUnavailable) {
      // Private browsing or storage turned off: the server-side saves still run.
    }
  }

  function forgetKept(form) {
    try {
      localStorage.removeItem(keptKey(form));
    } catch (storageUnavailable) {
      // Nothing kept.
    }
  }

  // A server version (an ISO 8601 time with microseconds) as microseconds since 1970, exact
  // (below 2^53), comparable; null for none.
  function versionOf(iso) {
    if (!iso) return null;
    const parts = /^([^.]*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/.exec(iso);
    if (!parts) return null;
    const micros = Number(((parts[2] || "") + "000000").slice(0, 6));
    return Date.parse(parts[1] + (parts[3] || "Z")) * 1000 + micros;
  }

  // Whether version `a` is the same as or later than `b` (none is earlier than any).
  function notBefore(a, b) {
    if (b === null || b === undefined) return true;
    if (a === null || a === undefined) return false;
    return versionOf(a) >= versionOf(b);
  }

  function readKept(form) {
    try {
      return JSON.parse(localStorage.getItem(keptKey(form)) || "null");
    } catch (storageUnavailable) {
      return null;
    }
  }

  function forgetOldKept() {
    try {
      for (let i = localStorage.length - 1; i >= 0; i--) {
        const name = localStorage.key(i);
        if (!name || !name.startsWith(KEPT_PREFIX)) continue;
        const kept = JSON.parse(localStorage.getItem(name) || "null");
        if (!kept || Date.now() - kept.at > KEPT_FOR_MS) localStorage.removeItem(name);
      }
    } catch (storageUnavailable) {
      // Nothing kept, nothing to forget.
    }
  }

  function fill(form, answer) {
    const values = new URLSearchParams(answer);
    Array.from(form.elements).forEach(function (field) {
      if (!field.name || field.name === "csrfmiddlewaretoken") return;
      if (field.type === "checkbox") field.checked = values.has(field.name);
      else if (field.type === "radio") field.checked = values.get(field.name) === field.value;
      else if (field.tagName === "TEXTAREA" && values.has(field.name)) {
        field.value = values.get(field.name);
      }
    });
    if (window.AnswerForm) window.AnswerForm.sync(form);
  }

  // What a page makes of the copy kept before a reload, given the server's copy it was served:
  // "saved" (the server took the kept answer after serving this page: it is shown as saved),
  // "unsaved" (typed but not known to be taken: shown and saved again), or "" (nothing to
  // restore: the server's copy is the kept one, or newer, saved by another tab or device).
  function restoreKept(form) {
    const kept = readKept(form);
    if (!kept) return "";
    const state = states.get(form);
    if (kept.answer === state.saved) {
      forgetKept(form);
      return "";
    }
    if (kept.confirmed) {
      if (notBefore(state.version, kept.confirmed)) {
        forgetKept(form); // a later save replaced it
        return "";
      }
      fill(form, kept.answer);
      state.saved = answerOf(form);
      state.version = kept.confirmed;
      state.confirmedHere = true; // heard by the page before: kept until a page is served it
      return "saved";
    }
    // Typed over the copy this page was served (or a later one: the page was served before a
    // save had landed), or over one replaced since by a save this browser sent that had not
    // been answered when the page went: it is the newest.
    const sentHere = (kept.sent || []).includes(state.saved);
    if (notBefore(kept.base, state.version) || sentHere) {
      fill(form, kept.answer);
      // Those saves may still land after this page was served, and make its save of the text
      // look stale (the server refuses it): such a refusal is taken for them (see save).
      state.sentBefore = (kept.sent || []).length > 0;
      return "unsaved";
    }
    forgetKept(form); // the server's copy changed since it was typed: another tab or device
    return "";
  }

  // --- saving --------------------------------------------------------------------------------

  function savedText(form, draft, answeredAt) {
    const time = new Date(answeredAt).toLocaleTimeString();
    if (draft && form.dataset.checkedOnSave) {
      return "Draft saved " + time + "; press Save answer to have it checked.";
    }
    return "Saved " + time;
  }

  function showFeedback(form, html) {
    // Feedback after each answer: the answer is final now, so the form gives way to it.
    const section = form.closest(".attempt-question");
    form.dataset.final = "1";
    const slot = section.querySelector(".feedback-slot");
    slot.innerHTML = html;
    // The feedback may hold a memory diagram, drawn by diagram.js once it is on the page.
    if (window.MemoryDiagram) window.MemoryDiagram.initAll(slot);
    form.querySelectorAll("input, textarea, button").forEach(function (el) {
      el.disabled = true;
    });
    keep(form);
    // The button that was pressed is disabled now, which would drop the focus to the page's top:
    // it goes to the verdict instead, so a keyboard or screen-reader user reads the feedback next.
    const verdict = slot.querySelector(".feedback-verdict");
    if (verdict) {
      verdict.tabIndex = -1;
      verdict.focus();
    }
  }

  // Some jitter, so that a class whose saves failed together does not come back together.
  function retryDelayMs(response, retries) {
    const asked = parseFloat(response.headers.get("Retry-After")) || 1;
    const seconds = Math.min(RETRY_CAP_S, asked * Math.pow(2, retries));
    return seconds * 1000 * (0.8 + 0.4 * Math.random());
  }

  function pause(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  // options.draft: typed text saved on the way (never checked yet, even with feedback after each
  // answer); options.keepalive: the page is going, so the request must outlive it;
  // options.retries: how many times the server was too busy to take this save; options.restored:
  // the text kept before a reload; options.rebased and options.base: a refused save sent again,
  // once, over `base` instead of the page's version.
  // Saves of a form still under way are tracked, so that a refusal can wait for those sent
  // before it (one of them may be the save that made it stale).
  function save(form, options) {
    const state = states.get(form);
    const earlier = state.running.slice();
    const running = sendSave(form, options, earlier);
    state.running.push(running);
    return running.finally(function () {
      state.running.splice(state.running.indexOf(running), 1);
    });
  }

  async function sendSave(form, options, earlier) {
    // An answer whose feedback is shown is final; a save queued behind it has nothing to send.
    if (form.dataset.final) return;
    const state = states.get(form);
    const answer = answerOf(form);
    // Refused as typed over an older copy: no draft replaces the other copy (see the top).
    const overriding = Boolean(state.changedTo) && !options.draft;
    if (state.changedTo && !overriding) {
      setStatus(form, CHANGED_ELSEWHERE, "error");
      keep(form);
      return;
    }
    // The same answer is sent once (a "change" and a "submit" can both fire for it), except that
    // pressing Save answer on a draft of a checked-on-save quiz asks for it to be checked.
    const checkRequested = !options.draft && form.dataset.checkedOnSave;
    if (answer === state.saved && !(checkRequested && state.savedAsDraft)) {
      // Typed back to the saved answer: nothing to send, and nothing unsaved any more.
      if (statusState(form) === "unsaved") setStatus(form, "Saved", "saved");
      keep(form);
      return;
    }
    if (options.keepalive && answer === state.sentOnLeaving) return;
    if (!hasAnswer(form)) {
      setStatus(form, BLANK, "error");
      return;
    }
    const body = new FormData(form);
    if (options.draft) body.append("draft", "1");
    if (!overriding) body.append("base", options.base || state.version || "none");
    if (options.keepalive) state.sentOnLeaving = answer;
    setStatus(form, "Saving…", "saving");
    state.inFlight = state.inFlight.slice(1 - MAX_IN_FLIGHT).concat([answer]);
    keep(form); // a page reloaded before the reply knows this answer may be on the server
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        keepalive: Boolean(options.keepalive),
      });
    } catch (networkError) {
      // Still counted as sent: the server may have taken it before the connection went.
      state.sentOnLeaving = null; // a later flush tries again
      setStatus(form, "Not saved: no connection. Your text is kept in this browser.", "error");
      return;
    }
    settled(state, answer);
    if (RETRIED_STATUSES.includes(response.status) && !options.keepalive) {
      // Kept in this browser meanwhile; the retry sends the answer as it is by then.
      const retries = options.retries || 0;
      const delay = retryDelayMs(response, retries);
      setStatus(
        form,
        "Saving… the server is busy; trying again in " + Math.ceil(delay / 1000) + " s.",
        "saving"
      );
      keep(form);
      await pause(delay);
      return sendSave(form, Object.assign({}, options, { retries: retries + 1 }), earlier);
    }
    let data = {};
    try {
      data = await response.json();
    } catch (notJson) {
      setStatus(form, "Not saved (server error " + response.status + ").", "error");
      return;
    }
    if (response.status === 409 && data.changed) {
      state.sentOnLeaving = null;
      await Promise.all(earlier); // their replies may show the newer copy is this page's own
      // This page's own save, or (saving restored text) one the page before it sent.
      const ours = heardOf(state, data.answered_at) || (options.restored && state.sentBefore);
      if (!options.rebased && ours) {
        const base = notBefore(state.version, data.answered_at) ? state.version : data.answered_at;
        return sendSave(form, Object.assign({}, options, { rebased: true, base: base }), []);
      }
      state.changedTo = data.answered_at;
      setStatus(form, CHANGED_ELSEWHERE, "error");
      keep(form);
      return;
    }
    if (data.redirect) {
      leaving = true;
      window.location.assign(data.redirect);
      return;
    }
    if (!response.ok || !data.saved) {
      state.sentOnLeaving = null;
      if (data.error) setStatus(form, data.error, "error");
      else showErrors(form, data.errors);
      return;
    }
    state.saved = answer;
    state.version = data.answered_at;
    // Saved over the other copy (Save answer pressed), or a refusal was this page's own save.
    if (heardOf(state, state.changedTo)) state.changedTo = null;
    state.confirmedHere = true;
    state.savedAsDraft = Boolean(options.draft);
    // The quiz's closing time may have moved since the page loaded; the countdown follows it.
    const countdown = document.getElementById("countdown");
    if (countdown && data.deadline) countdown.dataset.deadline = data.deadline;
    if (data.feedback_html) {
      showFeedback(form, data.feedback_html);
    } else if (answerOf(form) !== answer) {
      setStatus(form, "Unsaved changes", "unsaved"); // typed on while it was saving
    } else {
      setStatus(form, savedText(form, options.draft, data.answered_at), "saved");
    }
    keep(form);
  }

  // Whether this page heard the server take one of its saves at `version` or later.
  function heardOf(state, version) {
    return Boolean(version) && state.confirmedHere && notBefore(state.version, version);
  }

  // The server replied to a save of `answer` (whatever it said): it is no longer in doubt.
  function settled(state, answer) {
    const index = state.inFlight.indexOf(answer);
    if (index >= 0) state.inFlight.splice(index, 1);
  }

  function enqueue(form, options) {
    // Saves of one form run one after another, so the last answer given is the one kept.
    const state = states.get(form);
    clearTimeout(state.timer);
    state.queue = state.queue.then(function () {
      return save(form, options);
    });
    return state.queue;
  }

  function typed(form) {
    const state = states.get(form);
    keep(form);
    if (isUnsaved(form) && !state.changedTo) setStatus(form, "Unsaved changes", "unsaved");
    clearTimeout(state.timer);
    state.timer = setTimeout(function () {
      enqueue(form, { draft: true });
    }, DEBOUNCE_MS);
  }

  // The page is being hidden or left: send what is unsaved now, in requests that outlive it.
  function flushAll() {
    states.forEach(function (state, form) {
      clearTimeout(state.timer);
      if (isUnsaved(form)) save(form, { draft: true, keepalive: true });
    });
  }

  const forms = Array.from(document.querySelectorAll("form[data-autosave]"));
  forgetOldKept();
  forms.forEach(function (form) {
    const status = form.querySelector(".save-status");
    const saved = status.dataset.saved;
    states.set(form, {
      saved: saved ? answerOf(form) : null,
      version: (saved && status.dataset.savedAt) || null, // the server's copy's answered_at
      confirmedHere: false, // whether this page heard the server take `saved`
      inFlight: [], // answers sent, their replies not seen yet
      running: [], // saves under way (promises), oldest first
      changedTo: null, // the newer version a save was refused for, until the student decides
      sentBefore: false, // the restored text's page left saves unanswered (restoreKept)
      savedAsDraft: Boolean(saved && form.dataset.checkedOnSave),
      queue: Promise.resolve(),
      timer: null,
      sentOnLeaving: null,
    });
    const restored = restoreKept(form);
    if (restored === "saved") {
      setStatus(form, "Saved", "saved");
    } else if (restored === "unsaved") {
      setStatus(form, "Unsaved changes restored from this browser; saving…", "unsaved");
      enqueue(form, { draft: true, restored: true });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      enqueue(form, { draft: false });
    });
    form.addEventListener("input", function (event) {
      if (event.target.tagName === "TEXTAREA") typed(form);
    });
    form.addEventListener("change", function (event) {
      // A picked choice is an answer given; typed text and the "prints nothing" box are drafts
      // (leaving the text box saves it at once instead of after the pause).
      enqueue(form, { draft: event.target.type !== "radio" });
    });
  });

  if (forms.length) {
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") flushAll();
    });
    window.addEventListener("pagehide", flushAll);
    window.addEventListener("beforeunload", function (event) {
      if (leaving) return;
      const unsaved = forms.some(isUnsaved);
      flushAll();
      if (unsaved) {
        // Asks the browser to confirm leaving; the keep-alive saves above run either way.
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  const countdown = document.getElementById("countdown");
  if (countdown) {
    let flushed = false;
    const tick = function () {
      const deadline = new Date(countdown.dataset.deadline).getTime();
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      const minutes = Math.floor(left / 60);
      const seconds = String(left % 60).padStart(2, "0");
      countdown.textContent = "Time left " + minutes + ":" + seconds;
      countdown.classList.toggle("text-bg-danger", left <= 60);
      countdown.classList.toggle("text-bg-dark", left > 60);
      if (left <= FLUSH_BEFORE_DEADLINE_S && !flushed) {
        // Text typed in the last moments is saved while the server still takes it.
        flushed = true;
        forms.filter(isUnsaved).forEach(function (form) {
          enqueue(form, { draft: true });
        });
      }
      if (left === 0) {
        clearInterval(timer);
        // The server submits the attempt when its time is up; reloading shows the result.
        const pending = forms.map(function (form) {
          return states.get(form).queue;
        });
        Promise.all(pending).then(function () {
          leaving = true;
          window.location.reload();
        });
      }
    };
    const timer = setInterval(tick, 1000);
    tick();
  }
})();
