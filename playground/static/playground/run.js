/*
 * The playground's Run without reloading the page (issue 17 §4): the Run button (and Ctrl+Enter)
 * posts the form to /playground/run/, which answers with the run as JSON (the grader's outcome,
 * its trace in the compact form diagram.js reads), and the result is drawn here, in the markup of
 * templates/playground/_result.html and quizzes/_diagram.html, then wired by diagram.js. The
 * server no longer renders the whole page again for each run, which was most of a run's CPU.
 *
 * Without this script (or if the answer is not JSON: the login page, a server error), the form
 * posts to /playground/ as before and the page comes back with the result. The other buttons
 * (compare, misconception, save, reset) always post the form.
 */
(function () {
  "use strict";

  var form = document.querySelector("form.playground-form[data-run-url]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var announcer = document.querySelector(".playground-announce");
  var plainSubmit = false; // set to let one submit through to the page's own POST
  var running = false; // one run at a time: a Run (or Ctrl+Enter) while one is out is ignored

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function removeEarlierResults() {
    document
      .querySelectorAll(".playground-result, .playground-side-by-side, .playground-refused")
      .forEach(function (node) {
        node.remove();
      });
  }

  function badgeClass(status) {
    if (status === "ok") {
      return "text-bg-success";
    }
    return status === "raised" ? "text-bg-warning" : "text-bg-danger";
  }

  function heading(run) {
    var title = element("h2", "h5");
    title.id = "result-heading";
    var badge = element("span", "playground-status badge " + badgeClass(run.status), run.status);
    title.append(badge, " " + run.headline);
    if (run.python_version) {
      title.append(" ", element("small", "text-body-secondary", "(Python " + run.python_version + ")"));
    }
    return title;
  }

  function reasonsList(run) {
    var list = element("ul", "playground-reasons list-unstyled");
    run.reasons.forEach(function (reason) {
      var item = element("li", "alert alert-danger py-1 mb-1");
      if (reason.line) {
        var link = element("a", "playground-reason-line", "line " + reason.line);
        link.href = "#source-line-" + reason.line;
        item.append(link, ": ");
      }
      item.append(reason.text);
      list.append(item);
    });
    return list;
  }

  function listing(lines, flagged) {
    var pre = element("pre", "playground-listing border rounded p-2");
    pre.setAttribute("aria-label", "Your program, with the lines the grader points at marked");
    var code = element("code");
    lines.forEach(function (text, index) {
      var number = index + 1;
      var marked = flagged.indexOf(number) !== -1;
      var line = element("span", "playground-line" + (marked ? " playground-line-flagged" : ""));
      line.id = "source-line-" + number;
      var lineno = element("span", "playground-lineno", String(number));
      lineno.setAttribute("aria-hidden", "true");
      line.append(lineno, text);
      if (marked) {
        line.append(element("span", "visually-hidden", " (the grader points here)"));
      }
      line.append("\n");
      code.append(line);
    });
    pre.append(code);
    return pre;
  }

  function output(run) {
    var pre = element("pre", "playground-output border rounded p-2 bg-body-tertiary", run.stdout);
    if (run.exception) {
      var where = run.exception_line ? " (line " + run.exception_line + ")" : "";
      pre.append(element("span", "text-danger playground-exception", run.exception + where));
    }
    return [element("p", "mb-1", "Output:"), pre];
  }

  function button(className, label, hiddenWord, arrow, arrowFirst) {
    var node = element("button", className + " btn btn-sm btn-outline-secondary");
    node.type = "button";
    var mark = element("span", null, arrow);
    mark.setAttribute("aria-hidden", "true");
    var word = element("span", "visually-hidden", hiddenWord);
    if (arrowFirst) {
      node.append(mark, label, word);
    } else {
      node.append(label, word, mark);
    }
    return node;
  }

  function diagram(trace, lines) {
    var root = element("section", "memdiagram");
    root.tabIndex = 0;
    root.setAttribute("aria-roledescription", "memory diagram");
    root.setAttribute(
      "aria-label",
      "Memory diagram: frames, names and heap objects, step by step. Left and right arrow keys " +
        "change the step."
    );
    var wrap = element("div", "memdiagram-code-wrap");
    var pre = element("pre", "memdiagram-code");
    pre.setAttribute("role", "group");
    pre.setAttribute("aria-label", "Code");
    pre.tabIndex = 0;
    var code = element("code");
    lines.forEach(function (text, index) {
      var line = element("span", "memdiagram-line");
      line.dataset.line = String(index + 1);
      var lineno = element("span", "memdiagram-lineno", String(index + 1));
      lineno.setAttribute("aria-hidden", "true");
      line.append(lineno, text + "\n");
      code.append(line);
    });
    pre.append(code);
    wrap.append(pre);

    var controls = element("div", "memdiagram-controls");
    controls.hidden = true;
    var slider = element("input", "memdiagram-slider form-range");
    slider.type = "range";
    slider.min = "0";
    slider.max = String(trace.steps.length - 1);
    slider.value = "0";
    slider.step = "1";
    slider.setAttribute("aria-label", "Step");
    controls.append(
      button("memdiagram-prev", "Previous", " step", "\u2039 ", true),
      slider,
      button("memdiagram-next", "Next", " step", " \u203a", false)
    );
    var status = element("p", "memdiagram-status");
    status.setAttribute("aria-live", "polite");
    root.append(wrap, controls, status);

    var cut = trace.notice;
    if (!cut && trace.truncated) {
      cut =
        "Only the first " + trace.steps.length + " steps are shown: the program ran for longer " +
        "than the diagram records.";
    }
    if (cut) {
      var note = element("p", "memdiagram-truncated", cut);
      note.setAttribute("role", "note");
      root.append(note);
    }

    var canvas = element("div", "memdiagram-canvas");
    canvas.setAttribute("role", "group");
    canvas.tabIndex = 0;
    canvas.setAttribute("aria-label", "Frames and heap; scrolls sideways when wider than the page");
    canvas.hidden = true;
    var frames = element("div", "memdiagram-frames");
    frames.setAttribute("role", "group");
    frames.setAttribute("aria-label", "Frames");
    var heap = element("div", "memdiagram-heap");
    heap.setAttribute("role", "group");
    heap.setAttribute("aria-label", "Heap objects");
    var arrows = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    arrows.setAttribute("class", "memdiagram-arrows");
    arrows.setAttribute("aria-hidden", "true");
    arrows.setAttribute("focusable", "false");
    canvas.append(element("p", "memdiagram-sr memdiagram-summary"), frames, heap, arrows);

    var printed = element("div", "memdiagram-output");
    printed.hidden = true;
    printed.append(element("p", "memdiagram-output-label", "Printed so far"));
    printed.append(element("pre", "memdiagram-stdout"));

    var legend = element("p", "memdiagram-legend");
    legend.hidden = true;
    legend.append(
      element("span", "memdiagram-refcount", "refs"),
      " is the object's reference count: " + (trace.refcount_definition || "") +
        " A function's box shows its defaults and the cells it closes over; a frame's name " +
        "that lives in a cell points to that cell, or, while no closure holds the cell yet, has " +
        "a dashed arrow to what the cell holds. An object new at this step has a green outline, " +
        "one that changed an orange one, and one drawn at the step before and not now stays a " +
        "moment as a dashed outline, said freed when the tracer saw it freed."
    );
    var data = element("script");
    data.type = "application/json";
    data.textContent = JSON.stringify(trace);
    root.append(canvas, printed, legend, data);
    return root;
  }

  function drawResult(run, source) {
    removeEarlierResults();
    var lines = source.split(/\r\n|\r|\n/);
    if (lines.length && lines[lines.length - 1] === "") {
      lines.pop(); // as str.splitlines(): no line after the last newline
    }
    var section = element("section", "playground-result mt-3");
    section.setAttribute("aria-labelledby", "result-heading");
    section.append(heading(run));
    if (run.reasons.length) {
      section.append(reasonsList(run));
    }
    if (lines.length && run.status !== "ok") {
      section.append(listing(lines, run.flagged));
    }
    if (run.status !== "rejected") {
      section.append.apply(section, output(run));
    }
    var trace = run.trace;
    if (trace && trace.steps && trace.steps.length) {
      section.append(diagram(trace, lines));
    } else if (trace && trace.notice) {
      var note = element("p", "memdiagram-truncated", trace.notice);
      note.setAttribute("role", "note");
      section.append(note);
    }
    form.after(section);
    if (window.MemoryDiagram) {
      window.MemoryDiagram.initAll(section);
    }
    say(run.status + ": " + run.headline);
  }

  function drawRefusal(message) {
    removeEarlierResults();
    var alert = element("div", "alert alert-warning playground-refused", message);
    alert.setAttribute("role", "alert");
    form.before(alert);
  }

  function say(text) {
    if (announcer) {
      announcer.textContent = text;
    }
  }

  function postThePage(submitter) {
    plainSubmit = true;
    form.requestSubmit(submitter);
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (plainSubmit || !submitter || submitter.value !== "run") {
      plainSubmit = false;
      return;
    }
    event.preventDefault();
    if (running) {
      return;
    }
    running = true;
    var data = new FormData(form);
    data.set("action", "run");
    var source = String(data.get("source") || "");
    removeEarlierResults(); // nothing on the page may pass for this run's result meanwhile
    form.setAttribute("aria-busy", "true");
    submitter.disabled = true;
    say("Running\u2026");
    fetch(form.dataset.runUrl, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          throw new Error("not a run"); // the login page, a proxy's error page: post the page
        }
        return response.json().then(function (body) {
          if (response.ok) {
            drawResult(body, source);
          } else {
            drawRefusal(body.error || "Not run.");
            say(body.error || "Not run.");
          }
        });
      })
      .catch(function () {
        submitter.disabled = false;
        postThePage(submitter);
      })
      .finally(function () {
        running = false;
        form.removeAttribute("aria-busy");
        submitter.disabled = false;
      });
  });
})();
