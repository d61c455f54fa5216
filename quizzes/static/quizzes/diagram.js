/*
 * Memory diagram (issue 5): draws one step of a trace from grader.run(..., trace=True) as frames
 * holding names, heap objects holding references, and SVG arrows between them.
 *
 * Every element with class "memdiagram" (rendered by templates/quizzes/_diagram.html) becomes an
 * independent widget; its trace is the JSON data block inside it. No inline code, no network.
 * Diagrams inside one ".memdiagram-sync" element step together (two programs side by side).
 *
 * A trace of version 2 stores each step as what changed since the step before (grader/trace/
 * compact.py); expandSteps makes every step whole, as version 1 stored them. Each step then
 * shows what changed (new and changed objects highlighted, freed ones fading out), a table of
 * every object's id(), count, caching, collector generation and weak references, and a
 * collection's summary when gc.collect() ran.
 */
(function () {
  "use strict";

  if (window.MemoryDiagram) {
    return; // the script was included twice on one page
  }

  var SVG_NS = "http://www.w3.org/2000/svg";

  var FLAG_NAMES = {
    small_int_cache: "cached",
    interned: "interned",
    immortal: "immortal",
    cycle_only: "garbage cycle",
  };
  var FLAG_HELP = {
    small_int_cache: "CPython keeps one shared object for each small int (-5 to 256)",
    interned: "an interned string: equal interned strings are one shared object",
    immortal: "an immortal object: CPython never frees it, so its count means nothing",
    cycle_only:
      "kept alive only by a reference cycle: no name reaches it, gc.collect() would free it",
  };
  var REFS_HELP =
    "the object's reference count: how many references to it CPython counts (the note under " +
    "the diagram says which)";
  var SEQUENCE_KINDS = { list: true, tuple: true, set: true };
  var CELL_HELP =
    "this name lives in a cell, which the closures that use it share; no drawn closure holds " +
    "the cell yet, so the dashed arrow shows what the cell holds";
  // A function's own references, each group drawn as rows under a caption.
  var FUNCTION_PARTS = [
    { field: "defaults", caption: "defaults", suffix: "=" },
    { field: "kwdefaults", caption: "keyword-only defaults", suffix: "=" },
    { field: "cells", caption: "closure cells", suffix: "" },
  ];

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function screenReaderText(text) {
    return make("span", "memdiagram-sr", text);
  }

  var explanations = 0;

  // A word with its explanation (issue 19): a button that shows and hides the explanation under
  // it, so a keyboard reaches it and a sighted keyboard user can read it, and whose description
  // it is, so a screen reader reads it with the word. The box grows: the arrows are redrawn.
  function explained(className, text, help) {
    var wrap = make("span", "memdiagram-explained");
    var button = make("button", className + " memdiagram-explain", text);
    var note = make("span", "memdiagram-help", help);
    explanations += 1;
    note.id = "memdiagram-help-" + explanations;
    note.hidden = true;
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", note.id);
    button.setAttribute("aria-describedby", note.id);
    function toggle(open) {
      button.setAttribute("aria-expanded", String(open));
      note.hidden = !open;
      button.dispatchEvent(new Event("memdiagram:relayout", { bubbles: true }));
    }
    button.addEventListener("click", function () {
      toggle(button.getAttribute("aria-expanded") !== "true");
    });
    button.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        toggle(false);
      }
    });
    wrap.appendChild(button);
    wrap.appendChild(note);
    return wrap;
  }

  function clamp(value, low, high) {
    return Math.max(low, Math.min(high, value));
  }

  var STDOUT_CHARS = 2000; // grader.constants.STDOUT_CHARS: a step shows the output's tail

  // The whole steps of a trace of any version (see the file's comment).
  function expandSteps(trace) {
    var raw = trace && Array.isArray(trace.steps) ? trace.steps : [];
    if (!(trace.version >= 2)) {
      return raw;
    }
    var steps = [];
    var previous = null;
    raw.forEach(function (delta) {
      previous = applyDelta(previous, delta);
      steps.push(previous);
    });
    return steps;
  }

  function applyDelta(previous, delta) {
    var step = { line: delta.line, event: delta.event, gone: delta.gone || [] };
    ["hidden_frames", "collect", "freed"].forEach(function (key) {
      if (key in delta) {
        step[key] = delta[key];
      }
    });
    // Everything printed so far; the step shows its tail (tailOf), as a version 1 step stored it.
    step.printed = (previous ? previous.printed : "") + (delta.printed || "");
    var oldFrames = {};
    (previous ? previous.frames : []).forEach(function (frame) {
      oldFrames[frame.id] = frame;
    });
    var changes = {};
    (delta.frames || []).forEach(function (change) {
      changes[change.id] = change;
    });
    var ids = delta.frame_ids || Object.keys(oldFrames);
    step.frames = ids
      .map(function (id) {
        return mergedFrame(oldFrames[id], changes[id]);
      })
      .filter(Boolean);
    var heap = {};
    var oldHeap = previous ? previous.heap : {};
    Object.keys(oldHeap).forEach(function (label) {
      if (step.gone.indexOf(label) === -1) {
        heap[label] = oldHeap[label];
      }
    });
    Object.assign(heap, delta.heap || {});
    var update = delta.update || {};
    Object.keys(update).forEach(function (label) {
      heap[label] = Object.assign({}, heap[label], update[label]);
    });
    step.heap = heap;
    return step;
  }

  function mergedFrame(old, change) {
    if (!change) {
      return old;
    }
    if (!old) {
      return { id: change.id, name: change.name, line: change.line, locals: change.locals || [] };
    }
    var frame = {
      id: old.id,
      name: "name" in change ? change.name : old.name,
      line: "line" in change ? change.line : old.line,
      locals: change.locals || old.locals,
    };
    if (change.rebind) {
      var rebound = {};
      change.rebind.forEach(function (binding) {
        rebound[binding.name] = binding;
      });
      frame.locals = frame.locals.map(function (binding) {
        return rebound[binding.name] || binding;
      });
    }
    return frame;
  }

  // The end of the output, at most STDOUT_CHARS characters (code points, as Python counts).
  function tailOf(text) {
    if (text.length <= STDOUT_CHARS) {
      return text;
    }
    var points = Array.from(text.slice(-2 * STDOUT_CHARS - 2));
    if (text.length <= 2 * STDOUT_CHARS + 2 && points.length <= STDOUT_CHARS) {
      return text;
    }
    return "\u2026" + points.slice(-(STDOUT_CHARS - 1)).join("");
  }

  function stdoutOf(step) {
    return step.stdout !== undefined ? step.stdout : tailOf(step.printed || "");
  }

  // An object as the step draws it, leaving out what changes without the program touching it
  // (its generation moves when the collector runs): what "changed at this step" compares.
  function drawnPart(object) {
    var copy = Object.assign({}, object);
    delete copy.gc;
    return JSON.stringify(copy);
  }

  // Labels new at `step` and labels whose object changed since `previous`.
  function changesOf(previous, step) {
    var fresh = {};
    var changed = {};
    var before = previous ? previous.heap || {} : {};
    Object.keys(step.heap || {}).forEach(function (label) {
      if (!before[label]) {
        fresh[label] = true;
      } else if (drawnPart(before[label]) !== drawnPart(step.heap[label])) {
        changed[label] = true;
      }
    });
    var gone = Object.keys(before).filter(function (label) {
      return !(label in (step.heap || {}));
    });
    return { fresh: fresh, changed: changed, gone: gone, freed: step.freed || [] };
  }

  function Diagram(root) {
    this.root = root;
    this.codeBox = root.querySelector(".memdiagram-code");
    this.lines = root.querySelectorAll(".memdiagram-line");
    this.prevButton = root.querySelector(".memdiagram-prev");
    this.nextButton = root.querySelector(".memdiagram-next");
    this.slider = root.querySelector(".memdiagram-slider");
    this.status = root.querySelector(".memdiagram-status");
    this.canvas = root.querySelector(".memdiagram-canvas");
    this.framesBox = root.querySelector(".memdiagram-frames");
    this.heapBox = root.querySelector(".memdiagram-heap");
    this.svg = root.querySelector(".memdiagram-arrows");
    this.stdout = root.querySelector(".memdiagram-stdout");
    this.summary = root.querySelector(".memdiagram-summary");
    this.index = -1;
    this.redrawPending = false;

    var data = root.querySelector('script[type="application/json"]');
    try {
      this.trace = JSON.parse(data.textContent);
    } catch (error) {
      this.trace = null;
    }
    this.steps = this.trace ? expandSteps(this.trace) : [];
    root.memDiagram = this;
    if (!this.steps.length) {
      this.status.textContent = "This memory diagram could not be drawn: the trace is empty.";
      return;
    }
    root.querySelectorAll("[hidden]").forEach(function (node) {
      node.hidden = false;
    });
    this.addStepTools();
    this.bindControls();
    this.show(0);
  }

  Diagram.prototype.bindControls = function () {
    var self = this;
    this.prevButton.addEventListener("click", function () {
      self.step(self.index - 1);
    });
    this.nextButton.addEventListener("click", function () {
      self.step(self.index + 1);
    });
    this.slider.addEventListener("input", function () {
      self.step(Number(self.slider.value));
    });
    this.runToForm.addEventListener("submit", function (event) {
      event.preventDefault();
      self.runToLine(Number(self.lineInput.value));
    });
    this.root.addEventListener("keydown", function (event) {
      // The slider handles its own arrow keys, a text field its own: stepping here too would
      // move two steps, or move the caret and the step at once.
      var tag = event.target.tagName;
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") {
        return;
      }
      if (event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      var target = {
        ArrowLeft: self.index - 1,
        ArrowRight: self.index + 1,
        Home: 0,
        End: self.steps.length - 1,
      }[event.key];
      if (target !== undefined) {
        event.preventDefault();
        self.step(target);
      }
    });
    var redraw = function () {
      self.scheduleArrows();
    };
    if (window.ResizeObserver) {
      new ResizeObserver(redraw).observe(this.canvas);
    }
    window.addEventListener("resize", redraw);
    this.root.addEventListener("memdiagram:relayout", redraw);
    if (document.fonts && document.fonts.ready) {
      document.fonts.ready.then(redraw);
    }
  };

  // A step chosen by the reader: shown here, and at the same step number in the diagrams that
  // step together with this one (".memdiagram-sync").
  Diagram.prototype.step = function (index) {
    this.show(index);
    var group = this.root.closest(".memdiagram-sync");
    if (!group) {
      return;
    }
    var self = this;
    group.querySelectorAll(".memdiagram").forEach(function (other) {
      if (other !== self.root && other.memDiagram && other.memDiagram.steps.length) {
        other.memDiagram.show(self.index);
      }
    });
  };

  Diagram.prototype.show = function (index) {
    index = clamp(index, 0, this.steps.length - 1);
    if (index === this.index) {
      return;
    }
    this.index = index;
    var step = this.steps[index];
    var previous = index > 0 ? this.steps[index - 1] : null;
    var changes = changesOf(previous, step);
    this.updateControls(step);
    this.highlightLine(step);
    var printed = stdoutOf(step);
    this.stdout.textContent = printed;
    this.stdout.classList.toggle("is-empty", !printed);
    this.drawFrames(step);
    this.drawHeap(step, previous, changes);
    this.drawArrows();
    this.drawCollection(step, previous);
    this.drawDetails(step, changes);
    if (this.summary) {
      this.summary.textContent =
        describeNames(step) + describeChanges(step, previous, changes) + describeCut(this);
    }
  };

  Diagram.prototype.updateControls = function (step) {
    var last = this.steps.length - 1;
    this.slider.value = String(this.index);
    var where = describeStep(step);
    var summary = "Step " + (this.index + 1) + " of " + this.steps.length + ": " + where;
    this.slider.setAttribute("aria-valuetext", summary);
    this.status.textContent = summary;
    // aria-disabled rather than disabled: a disabled button would drop the keyboard focus.
    this.prevButton.setAttribute("aria-disabled", String(this.index === 0));
    this.nextButton.setAttribute("aria-disabled", String(this.index === last));
  };

  function describeStep(step) {
    var frames = step.frames || [];
    var current = frames.length ? frames[frames.length - 1].name : "";
    switch (step.event) {
      case "return":
        return "line " + step.line + ", returning from " + current;
      case "exception":
        return "line " + step.line + ": an exception is raised in " + current;
      case "end":
        return "the program has finished";
      case "exit":
        return "the program has exited: its names are gone";
      case "collect":
        var who = step.collect && step.collect.reason === "automatic" ? "on its own" : "in gc.collect()";
        return "line " + step.line + ": the garbage collector ran " + who;
      default:
        return "about to run line " + step.line;
    }
  }

  Diagram.prototype.highlightLine = function (step) {
    var currentLine =
      step.event === "end" || step.event === "exit" || step.line === null ? null : String(step.line);
    var highlighted = null;
    this.lines.forEach(function (line) {
      var isCurrent = line.getAttribute("data-line") === currentLine;
      line.classList.toggle("is-current", isCurrent);
      line.classList.toggle("is-returning", isCurrent && step.event === "return");
      if (isCurrent) {
        line.setAttribute("aria-current", "step");
        highlighted = line;
      } else {
        line.removeAttribute("aria-current");
      }
    });
    if (highlighted) {
      // Scroll the code box only: scrollIntoView would also move the page under the reader.
      var box = this.codeBox;
      var top = highlighted.offsetTop;
      if (top < box.scrollTop || top + highlighted.offsetHeight > box.scrollTop + box.clientHeight) {
        box.scrollTop = top - box.clientHeight / 3;
      }
    }
  };

  Diagram.prototype.drawFrames = function (step) {
    var box = this.framesBox;
    box.replaceChildren(make("p", "memdiagram-column-title", "Frames"));
    var frames = step.frames || [];
    var heap = step.heap || {};
    frames.forEach(function (frame, position) {
      var frameBox = make("div", "memdiagram-frame");
      frameBox.setAttribute("data-frame", frame.name);
      if (position === frames.length - 1) {
        frameBox.classList.add("is-active");
      }
      frameBox.appendChild(make("div", "memdiagram-frame-name", frame.name));
      var locals = frame.locals || [];
      if (!locals.length) {
        frameBox.appendChild(make("div", "memdiagram-empty", "no names yet"));
      }
      locals.forEach(function (local) {
        var row = make("div", "memdiagram-name");
        row.setAttribute("data-name", local.name);
        var name = make("span", "memdiagram-name-text", local.name);
        var slot = referenceSlot(local.ref, heap, frame.name + ":" + local.name);
        if (local.cell) {
          // The frame holds a cell that the tracer could not draw (no closure holds it yet):
          // the dashed arrow shows what the cell holds, not a reference of the frame's own.
          row.classList.add("is-cell");
          name.appendChild(explained("memdiagram-cell-tag", "cell", CELL_HELP));
          slot.classList.add("is-via-cell");
          slot.firstChild.textContent = "through a cell, " + slot.firstChild.textContent;
        }
        row.appendChild(name);
        row.appendChild(slot);
        frameBox.appendChild(row);
      });
      box.appendChild(frameBox);
      if (position === 0 && step.hidden_frames) {
        // Deep recursion: the tracer keeps the module's frame and the innermost calls.
        var count = step.hidden_frames;
        var note = count === 1 ? "1 call not shown" : count + " calls not shown";
        box.appendChild(make("div", "memdiagram-hidden-frames", "\u22ee " + note));
      }
    });
  };

  // A slot holding one reference: a dot the arrow starts from, plus words for screen readers.
  function referenceSlot(label, heap, source) {
    var slot = make("span", "memdiagram-ref");
    slot.setAttribute("data-ref", label);
    slot.setAttribute("data-source", source);
    var target = heap[label];
    var description = target ? label + ", " + describeObject(target) : "an object not shown";
    slot.appendChild(screenReaderText("refers to " + description));
    return slot;
  }

  // "a list [1, 2, 3]": the object's type with its article, then its value.
  function describeObject(object) {
    var article = /^[aeiou]/i.test(object.type) ? "an " : "a ";
    return article + object.type + " " + object.repr;
  }

  function joinWords(words) {
    if (words.length < 2) {
      return words.join("");
    }
    return words.slice(0, -1).join(", ") + " and " + words[words.length - 1];
  }

  // Who refers to each object: names in frames ("b", or "x in f" outside the module) and slots of
  // other objects ("o3[0]", "o4.name"), so each object can say which names share it.
  function referrersOf(step, heap) {
    var referrers = {};
    function add(label, who) {
      (referrers[label] = referrers[label] || []).push(who);
    }
    (step.frames || []).forEach(function (frame) {
      var module = frame.name === "<module>";
      (frame.locals || []).forEach(function (local) {
        add(local.ref, module ? local.name : local.name + " in " + frame.name);
      });
    });
    Object.keys(heap).forEach(function (label) {
      var object = heap[label];
      (object.items || []).forEach(function (ref, position) {
        add(ref, label + "[" + position + "]");
      });
      (object.entries || []).forEach(function (entry) {
        add(entry[0], "a key of " + label);
        add(entry[1], label + "[" + (heap[entry[0]] ? heap[entry[0]].repr : "?") + "]");
      });
      ["attrs", "defaults", "kwdefaults", "cells"].forEach(function (field) {
        (object[field] || []).forEach(function (named) {
          add(named.ref, label + (field === "attrs" ? "." : " " + field + " ") + named.name);
        });
      });
      if (object.contents) {
        add(object.contents, "cell " + label);
      }
    });
    return referrers;
  }

  // The step's text alternative: one sentence per object that names refer to, saying which names
  // share it ("a and b refer to o1, a list [1, 2, 3]. c refers to o5, a list [1, 2, 3].").
  function describeNames(step) {
    var heap = step.heap || {};
    var byObject = {};
    var order = [];
    (step.frames || []).forEach(function (frame) {
      var module = frame.name === "<module>";
      (frame.locals || []).forEach(function (local) {
        if (!byObject[local.ref]) {
          byObject[local.ref] = [];
          order.push(local.ref);
        }
        byObject[local.ref].push(module ? local.name : local.name + " in " + frame.name);
      });
    });
    if (!order.length) {
      return "No names yet.";
    }
    return order
      .map(function (label) {
        var names = byObject[label];
        var verb = names.length > 1 ? " refer to " : " refers to ";
        var target = heap[label] ? label + ", " + describeObject(heap[label]) : "an object not shown";
        return joinWords(names) + verb + target + ".";
      })
      .join(" ");
  }

  Diagram.prototype.drawHeap = function (step, previous, changes) {
    var heap = step.heap || {};
    var referrers = referrersOf(step, heap);
    var columnsBox = make("div", "memdiagram-heap-columns");
    layoutColumns(step, heap).forEach(function (labels) {
      var column = make("div", "memdiagram-heap-column");
      labels.forEach(function (label) {
        var box = objectBox(label, heap[label], heap, referrers[label] || []);
        markChange(box, label, changes);
        column.appendChild(box);
      });
      columnsBox.appendChild(column);
    });
    if (!columnsBox.childElementCount && !changes.gone.length) {
      var none = step.event === "exit" ? "no objects left" : "no objects yet";
      columnsBox.appendChild(make("div", "memdiagram-empty", none));
    }
    if (changes.gone.length && previous) {
      // Drawn at the step before and not now: each fades out in a column of its own, so the
      // rest keep their places and no arrow points at it.
      var goneColumn = make("div", "memdiagram-heap-column memdiagram-gone-column");
      changes.gone.forEach(function (label) {
        goneColumn.appendChild(goneBox(label, previous.heap[label], changes));
      });
      columnsBox.appendChild(goneColumn);
    }
    this.heapBox.replaceChildren(make("p", "memdiagram-column-title", "Heap"), columnsBox);
  };

  function markChange(box, label, changes) {
    var text = null;
    if (changes.fresh[label]) {
      box.classList.add("is-new");
      text = "new at this step";
    } else if (changes.changed[label]) {
      box.classList.add("is-changed");
      text = "changed at this step";
    }
    if (text) {
      var tag = make("span", "memdiagram-change-tag", text);
      box.querySelector(".memdiagram-object-head").appendChild(tag);
    }
  }

  function goneBox(label, object, changes) {
    var freed = changes.freed.indexOf(label) !== -1;
    var box = make("div", "memdiagram-gone memdiagram-kind-" + object.kind);
    box.classList.add(freed ? "is-freed" : "is-unreached");
    box.setAttribute("data-gone-label", label);
    var head = make("div", "memdiagram-object-head");
    head.appendChild(make("span", "memdiagram-type", label + " " + object.type));
    var what = freed ? "freed at this step" : "no longer drawn: nothing drawn refers to it";
    head.appendChild(make("span", "memdiagram-change-tag", what));
    box.appendChild(head);
    box.appendChild(make("div", "memdiagram-value", object.repr));
    return box;
  }

  function referencesOf(object) {
    var refs = (object.items || []).slice();
    (object.entries || []).forEach(function (entry) {
      refs.push(entry[0], entry[1]);
    });
    ["attrs", "defaults", "kwdefaults", "cells"].forEach(function (field) {
      (object[field] || []).forEach(function (named) {
        refs.push(named.ref);
      });
    });
    if (object.contents) {
      refs.push(object.contents);
    }
    return refs;
  }

  // Columns by distance from the frames (breadth first), so most arrows run left to right.
  // Objects no name reaches (garbage cycles) start their own walk after the reachable ones.
  function layoutColumns(step, heap) {
    var depthOf = {};
    var columns = [];
    function walk(startLabels) {
      var queue = [];
      startLabels.forEach(function (label) {
        if (heap[label] && !(label in depthOf)) {
          depthOf[label] = 0;
          queue.push(label);
        }
      });
      while (queue.length) {
        var label = queue.shift();
        var depth = depthOf[label];
        (columns[depth] = columns[depth] || []).push(label);
        referencesOf(heap[label]).forEach(function (next) {
          if (heap[next] && !(next in depthOf)) {
            depthOf[next] = depth + 1;
            queue.push(next);
          }
        });
      }
    }
    var roots = [];
    (step.frames || []).forEach(function (frame) {
      (frame.locals || []).forEach(function (local) {
        roots.push(local.ref);
      });
    });
    walk(roots);
    Object.keys(heap).forEach(function (label) {
      walk([label]);
    });
    return columns;
  }

  function objectBox(label, object, heap, referrers) {
    var box = make("div", "memdiagram-object memdiagram-kind-" + object.kind);
    box.setAttribute("data-label", label);
    box.setAttribute("data-type", object.type);
    box.title = object.repr;
    var flags = object.flags || [];
    if (flags.indexOf("cycle_only") !== -1) {
      box.classList.add("is-garbage");
    }

    var head = make("div", "memdiagram-object-head");
    var referredBy = referrers.length
      ? ", referred to by " + joinWords(referrers)
      : ", which nothing drawn refers to";
    head.appendChild(screenReaderText("object " + label + referredBy + ": "));
    head.appendChild(make("span", "memdiagram-type", object.type));
    if (object.refcount !== null && object.refcount !== undefined) {
      head.appendChild(explained("memdiagram-refcount", "refs " + object.refcount, REFS_HELP));
    }
    box.appendChild(head);

    if (flags.length) {
      var tags = make("div", "memdiagram-flags");
      flags.forEach(function (flag) {
        var className = "memdiagram-flag memdiagram-flag-" + flag;
        tags.appendChild(explained(className, FLAG_NAMES[flag] || flag, FLAG_HELP[flag] || flag));
      });
      box.appendChild(tags);
    }
    box.appendChild(objectBody(label, object, heap));
    return box;
  }

  function objectBody(label, object, heap) {
    var body = kindBody(label, object, heap);
    if (object.more) {
      // The tracer draws a bounded number of elements and counts the rest.
      body.appendChild(make("div", "memdiagram-more", "+ " + object.more + " more not drawn"));
    }
    return body;
  }

  function kindBody(label, object, heap) {
    if (object.kind === "function") {
      return functionBody(label, object, heap);
    }
    if (object.kind === "cell") {
      return cellBody(label, object, heap);
    }
    if (SEQUENCE_KINDS[object.kind] || object.items) {
      return sequenceBody(label, object, heap);
    }
    if (object.kind === "dict") {
      return pairRows(
        label,
        (object.entries || []).map(function (entry) {
          var key = heap[entry[0]];
          return { keyRef: entry[0], name: key ? key.repr : "?", ref: entry[1] };
        }),
        heap,
        "empty dict"
      );
    }
    if (object.kind === "instance" || object.kind === "class" || object.attrs) {
      var rows = pairRows(
        label,
        (object.attrs || []).map(function (attr) {
          return { name: attr.name, ref: attr.ref };
        }),
        heap,
        "no attributes"
      );
      if (object.kind !== "class") {
        return rows;
      }
      var classBody = make("div");
      classBody.appendChild(make("div", "memdiagram-value", object.repr));
      classBody.appendChild(rows);
      return classBody;
    }
    return make("div", "memdiagram-value", object.repr);
  }

  // The function's name, then its defaults and the cells it closes over, each with an arrow.
  function functionBody(label, object, heap) {
    var body = make("div");
    body.appendChild(make("div", "memdiagram-value", object.repr));
    FUNCTION_PARTS.forEach(function (part) {
      var named = object[part.field] || [];
      if (!named.length) {
        return;
      }
      body.appendChild(make("div", "memdiagram-caption", part.caption));
      body.appendChild(
        pairRows(
          label,
          named.map(function (each) {
            var source = part.field + " " + each.name;
            return { name: each.name + part.suffix, ref: each.ref, source: source };
          }),
          heap,
          ""
        )
      );
    });
    return body;
  }

  function cellBody(label, object, heap) {
    if (!object.contents) {
      return make("div", "memdiagram-empty", "empty: no value yet");
    }
    return pairRows(label, [{ name: "contents", ref: object.contents }], heap, "");
  }

  function sequenceBody(label, object, heap) {
    var items = object.items || [];
    var row = make("div", "memdiagram-items");
    if (!items.length) {
      row.appendChild(make("span", "memdiagram-empty", "empty"));
    }
    var indexed = object.kind !== "set";
    items.forEach(function (ref, position) {
      var cell = make("span", "memdiagram-item");
      if (indexed) {
        cell.appendChild(make("span", "memdiagram-index", String(position)));
      }
      cell.appendChild(referenceSlot(ref, heap, label + "[" + position + "]"));
      row.appendChild(cell);
    });
    return row;
  }

  // Rows of "name -> reference" (attributes) or "key -> reference" (dict entries, whose key is
  // an object too, so it gets its own arrow).
  function pairRows(label, pairs, heap, emptyText) {
    var table = make("div", "memdiagram-pairs");
    if (!pairs.length) {
      table.appendChild(make("span", "memdiagram-empty", emptyText));
    }
    pairs.forEach(function (pair) {
      var row = make("div", "memdiagram-pair");
      if (pair.keyRef) {
        var key = make("span", "memdiagram-pair-name");
        key.appendChild(referenceSlot(pair.keyRef, heap, label + " key " + pair.name));
        key.appendChild(make("span", "memdiagram-key", pair.name));
        row.appendChild(key);
      } else {
        row.appendChild(make("span", "memdiagram-pair-name", pair.name));
      }
      var source = label + (pair.source ? " " + pair.source : "." + pair.name);
      row.appendChild(referenceSlot(pair.ref, heap, source));
      table.appendChild(row);
    });
    return table;
  }

  // "Run to line N", the collection's note and the objects' table: made here, so every page that
  // includes the diagram's template gets them.
  Diagram.prototype.addStepTools = function () {
    var controls = this.root.querySelector(".memdiagram-controls");
    var form = make("form", "memdiagram-run-to");
    var number = this.root.querySelectorAll(".memdiagram-line").length;
    var label = make("label", "memdiagram-run-to-label", "Run to line ");
    var input = make("input", "memdiagram-line-input form-control form-control-sm");
    input.type = "number";
    input.min = "1";
    input.max = String(Math.max(number, 1));
    input.required = true;
    input.inputMode = "numeric";
    label.appendChild(input);
    var go = make("button", "memdiagram-run-to-button btn btn-sm btn-outline-secondary", "Go");
    go.type = "submit";
    go.appendChild(screenReaderText(" to the next step at this line"));
    form.appendChild(label);
    form.appendChild(go);
    controls.after(form);
    this.runToForm = form;
    this.lineInput = input;

    this.collectNote = make("div", "memdiagram-collect");
    this.collectNote.setAttribute("role", "note");
    this.collectNote.hidden = true;
    this.canvas.before(this.collectNote);

    var details = make("details", "memdiagram-details");
    var summary = make("summary", null, "Objects at this step: id(), references, caching, collector, weak references");
    details.appendChild(summary);
    var wrap = make("div", "memdiagram-table-wrap");
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", "Objects at this step; scrolls sideways when wider than the page");
    // table-stack (tables.css): on a phone each row becomes a card of "column: value" lines.
    var table = make("table", "memdiagram-table table table-sm table-stack");
    var caption = make("caption", "memdiagram-table-caption");
    table.appendChild(caption);
    var head = make("thead");
    var row = make("tr");
    DETAIL_COLUMNS.forEach(function (title) {
      var cell = make("th", null, title);
      cell.setAttribute("scope", "col");
      row.appendChild(cell);
    });
    head.appendChild(row);
    table.appendChild(head);
    this.detailsBody = make("tbody");
    table.appendChild(this.detailsBody);
    this.detailsCaption = caption;
    wrap.appendChild(table);
    details.appendChild(wrap);
    var legend = this.root.querySelector(".memdiagram-legend");
    (legend || this.canvas).before(details);
  };

  // The next step, after the current one, about to run line `line` (or returning there).
  Diagram.prototype.runToLine = function (line) {
    var found = -1;
    for (var i = this.index + 1; i < this.steps.length; i += 1) {
      if (this.steps[i].line === line && this.steps[i].event !== "end" && this.steps[i].event !== "exit") {
        found = i;
        break;
      }
    }
    if (found === -1) {
      var ever = this.steps.some(function (step) {
        return step.line === line;
      });
      this.status.textContent = ever
        ? "Line " + line + " does not run again after step " + (this.index + 1) + "."
        : "Line " + line + " never runs in this diagram.";
      return;
    }
    this.step(found);
  };

  Diagram.prototype.drawCollection = function (step, previous) {
    var note = this.collectNote;
    var summary = step.collect;
    if (!summary) {
      note.hidden = true;
      note.replaceChildren();
      return;
    }
    note.hidden = false;
    note.replaceChildren();
    var who = summary.reason === "automatic" ? "The collector ran on its own" : "gc.collect() ran";
    note.appendChild(
      make(
        "p",
        "memdiagram-collect-title",
        who + " (generation " + summary.generation + "): it freed " + summary.collected +
          (summary.collected === 1 ? " object" : " objects") +
          (summary.reason === "automatic" ? "." : ", the number gc.collect() returns.")
      )
    );
    var before = previous ? previous.heap || {} : {};
    var cycles = (summary.cycles || []).map(function (cycle) {
      return cycle
        .map(function (label) {
          return before[label] ? label + " (" + describeObject(before[label]) + ")" : label;
        })
        .join(", ");
    });
    var list = make("ul", "memdiagram-collect-list");
    if (cycles.length) {
      cycles.forEach(function (cycle, position) {
        list.appendChild(make("li", null, "Cycle " + (position + 1) + " found and freed: " + cycle));
      });
    } else {
      list.appendChild(make("li", null, "No cycle the diagram drew was freed."));
    }
    var finalizers = summary.finalizers || [];
    list.appendChild(
      make(
        "li",
        null,
        finalizers.length
          ? "Finalizers that ran: " + finalizers.join("; ")
          : "No finalizer ran."
      )
    );
    if (summary.uncollectable) {
      list.appendChild(make("li", null, summary.uncollectable + " objects could not be collected."));
    }
    note.appendChild(list);
  };

  var DETAIL_COLUMNS = [
    "Object",
    "Value",
    "id()",
    "References",
    "Cached, interned, immortal",
    "Collector",
    "Weak references to it",
    "At this step",
  ];

  Diagram.prototype.drawDetails = function (step, changes) {
    var heap = step.heap || {};
    var body = this.detailsBody;
    body.replaceChildren();
    this.detailsCaption.textContent = "Objects at step " + (this.index + 1) + " of " + this.steps.length;
    var labels = [];
    layoutColumns(step, heap).forEach(function (column) {
      labels = labels.concat(column);
    });
    labels.forEach(function (label) {
      var object = heap[label];
      var change = changes.fresh[label] ? "new" : changes.changed[label] ? "changed" : "";
      body.appendChild(detailRow(label, object, heap, change));
    });
    changes.gone.forEach(function (label) {
      var row = make("tr", "memdiagram-detail-gone");
      var freed = changes.freed.indexOf(label) !== -1;
      row.appendChild(make("th", null, label));
      row.firstChild.setAttribute("scope", "row");
      var cell = make("td", null, freed ? "freed at this step" : "no longer drawn");
      cell.setAttribute("data-label", DETAIL_COLUMNS[DETAIL_COLUMNS.length - 1]);
      cell.colSpan = DETAIL_COLUMNS.length - 1;
      row.appendChild(cell);
      body.appendChild(row);
    });
  };

  function detailRow(label, object, heap, change) {
    var row = make("tr");
    row.setAttribute("data-label", label);
    var name = make("th", null, label + " " + object.type);
    name.setAttribute("scope", "row");
    row.appendChild(name);
    var flags = (object.flags || []).filter(function (flag) {
      return flag !== "cycle_only";
    });
    var cells = [
      object.repr,
      object.id === undefined ? "not recorded" : String(object.id),
      object.refcount === null || object.refcount === undefined
        ? "not counted (immortal, or not the program's)"
        : String(object.refcount),
      flags.length
        ? flags
            .map(function (flag) {
              return FLAG_NAMES[flag] || flag;
            })
            .join(", ")
        : "no",
      collectorText(object),
      weakText(object, heap),
      change,
    ];
    cells.forEach(function (text, position) {
      var cell = make("td", null, text);
      cell.setAttribute("data-label", DETAIL_COLUMNS[position + 1]);
      row.appendChild(cell);
    });
    return row;
  }

  function collectorText(object) {
    var garbage = (object.flags || []).indexOf("cycle_only") !== -1 ? "; garbage: only a cycle keeps it" : "";
    if (!("gc" in object)) {
      return "not recorded (an older trace)" + garbage;
    }
    if (object.gc === null) {
      return "not tracked" + garbage;
    }
    return "tracked, generation " + object.gc + garbage;
  }

  function weakText(object, heap) {
    if (!("id" in object)) {
      return "not recorded (an older trace)";
    }
    var refs = object.weakrefs || [];
    if (!refs.length) {
      return "none";
    }
    return refs
      .map(function (ref) {
        var text = ref.ref ? ref.ref + " (" + ref.type + ")" : "a " + ref.type + " not drawn";
        return ref.callback ? text + ", callback " + ref.callback : text;
      })
      .join("; ");
  }

  // What changed at this step, for the text alternative.
  function describeChanges(step, previous, changes) {
    var heap = step.heap || {};
    var parts = [];
    var fresh = Object.keys(changes.fresh);
    if (previous && fresh.length) {
      parts.push(
        "New: " +
          joinWords(
            fresh.map(function (label) {
              return label + ", " + describeObject(heap[label]);
            })
          ) +
          "."
      );
    }
    var changed = Object.keys(changes.changed);
    if (changed.length) {
      parts.push("Changed: " + joinWords(changed) + ".");
    }
    if (changes.freed.length) {
      parts.push("Freed: " + joinWords(changes.freed) + ".");
    }
    var unreached = changes.gone.filter(function (label) {
      return changes.freed.indexOf(label) === -1;
    });
    if (unreached.length) {
      parts.push("No longer drawn: " + joinWords(unreached) + ".");
    }
    if (step.collect) {
      parts.push(
        "The collector freed " + step.collect.collected + " objects" +
          ((step.collect.cycles || []).length
            ? ", among them the cycle" + (step.collect.cycles.length > 1 ? "s " : " ") +
              step.collect.cycles.map(function (cycle) { return cycle.join(" and "); }).join("; ")
            : "") +
          "."
      );
    }
    return parts.length ? " " + parts.join(" ") : "";
  }

  function describeCut(diagram) {
    var cut = diagram.trace.cut;
    if (!cut || diagram.index !== diagram.steps.length - 1) {
      return "";
    }
    return " The diagram stops here, at step " + cut.step + ", before line " + cut.line + " ran again.";
  }

  Diagram.prototype.scheduleArrows = function () {
    var self = this;
    if (this.redrawPending || this.index < 0) {
      return;
    }
    this.redrawPending = true;
    window.requestAnimationFrame(function () {
      self.redrawPending = false;
      self.drawArrows();
    });
  };

  Diagram.prototype.drawArrows = function () {
    var svg = this.svg;
    var canvas = this.canvas;
    // The canvas may scroll sideways: the SVG covers all of its content and scrolls with it, so
    // positions are taken relative to the content's corner, not the visible box's. Emptied
    // first, so that the previous step's size does not keep the scroll area large.
    svg.setAttribute("width", "0");
    svg.setAttribute("height", "0");
    svg.replaceChildren();
    var corner = canvas.getBoundingClientRect();
    var origin = {
      left: corner.left + canvas.clientLeft - canvas.scrollLeft,
      top: corner.top + canvas.clientTop - canvas.scrollTop,
    };
    svg.setAttribute("width", String(canvas.scrollWidth));
    svg.setAttribute("height", String(canvas.scrollHeight));
    var heapBox = this.heapBox;
    var objects = {};
    heapBox.querySelectorAll(".memdiagram-object").forEach(function (box) {
      objects[box.getAttribute("data-label")] = box;
    });
    this.canvas.querySelectorAll(".memdiagram-ref").forEach(function (slot) {
      var label = slot.getAttribute("data-ref");
      var target = objects[label];
      if (!target) {
        slot.classList.add("is-dangling");
        return;
      }
      var start = slot.getBoundingClientRect();
      var arrow = arrowPath(
        start.left + start.width / 2 - origin.left,
        start.top + start.height / 2 - origin.top,
        relativeRect(target.getBoundingClientRect(), origin),
        target.contains(slot)
      );
      var group = document.createElementNS(SVG_NS, "g");
      var viaCell = slot.classList.contains("is-via-cell");
      group.setAttribute("class", "memdiagram-arrow" + (viaCell ? " is-via-cell" : ""));
      group.setAttribute("data-from", slot.getAttribute("data-source"));
      group.setAttribute("data-to", label);
      var line = document.createElementNS(SVG_NS, "path");
      line.setAttribute("class", "memdiagram-arrow-line");
      line.setAttribute("d", arrow.line);
      var head = document.createElementNS(SVG_NS, "path");
      head.setAttribute("class", "memdiagram-arrow-head");
      head.setAttribute("d", arrow.head);
      group.appendChild(line);
      group.appendChild(head);
      svg.appendChild(group);
    });
  };

  function relativeRect(rect, origin) {
    return {
      left: rect.left - origin.left,
      right: rect.right - origin.left,
      top: rect.top - origin.top,
      bottom: rect.bottom - origin.top,
    };
  }

  // A curve from a slot's dot (x, y) to the nearest sensible side of the target box, with an
  // arrowhead along the curve's final direction. A slot inside its own target (an object that
  // refers to itself) gets a loop out of the box's right side and back in.
  function arrowPath(x, y, box, toItself) {
    var inset = 8;
    var gap = 12;
    var end;
    var pull = clamp(Math.abs(box.left - x) / 2, 30, 80);
    var control1;
    var control2;
    if (toItself) {
      end = { x: box.right, y: box.top + inset * 1.5 };
      control1 = { x: box.right + 35, y: y };
      control2 = { x: box.right + 35, y: end.y };
    } else if (box.left >= x + gap) {
      end = { x: box.left, y: clamp(y, box.top + inset, box.bottom - inset) };
      control1 = { x: x + pull, y: y };
      control2 = { x: end.x - pull, y: end.y };
    } else if (box.top >= y + gap) {
      end = { x: clamp(x, box.left + inset, box.right - inset), y: box.top };
      pull = clamp((end.y - y) / 2, 20, 80);
      // Leave sideways first, so the curve clears the slots stacked below this one.
      control1 = { x: x + 45, y: y };
      control2 = { x: end.x, y: end.y - pull };
    } else if (box.bottom <= y - gap) {
      end = { x: clamp(x, box.left + inset, box.right - inset), y: box.bottom };
      pull = clamp((y - end.y) / 2, 20, 80);
      control1 = { x: x, y: y - pull };
      control2 = { x: end.x, y: end.y + pull };
    } else {
      // The target overlaps the slot's row (a back reference or the object itself): loop round
      // and come into its top edge from above.
      end = { x: box.left + inset * 2, y: box.top };
      control1 = { x: x + 40, y: y - 40 };
      control2 = { x: end.x, y: end.y - 50 };
    }
    var angle = Math.atan2(end.y - control2.y, end.x - control2.x);
    var length = 9;
    var spread = 0.45;
    var left = {
      x: end.x - length * Math.cos(angle - spread),
      y: end.y - length * Math.sin(angle - spread),
    };
    var right = {
      x: end.x - length * Math.cos(angle + spread),
      y: end.y - length * Math.sin(angle + spread),
    };
    return {
      line: "M" + [x, y, "C", control1.x, control1.y, control2.x, control2.y, end.x, end.y]
        .map(round)
        .join(" "),
      head: "M" + [end.x, end.y, "L", left.x, left.y, "L", right.x, right.y, "Z"].map(round).join(" "),
    };
  }

  function round(value) {
    return typeof value === "number" ? Math.round(value * 10) / 10 : value;
  }

  // Several diagrams on one page: each region gets its own name ("Memory diagram 2: ..."), so a
  // screen reader's list of regions tells them apart.
  function numberDiagrams() {
    var all = document.querySelectorAll(".memdiagram[aria-label]");
    if (all.length < 2) {
      return;
    }
    all.forEach(function (root, position) {
      var label = root.getAttribute("aria-label").replace(/^Memory diagram( \d+)?:/, "");
      root.setAttribute("aria-label", "Memory diagram " + (position + 1) + ":" + label);
    });
  }

  function initAll(scope) {
    (scope || document).querySelectorAll(".memdiagram").forEach(function (root) {
      if (!root.hasAttribute("data-memdiagram-ready")) {
        root.setAttribute("data-memdiagram-ready", "");
        new Diagram(root);
      }
    });
    numberDiagrams();
  }

  window.MemoryDiagram = { initAll: initAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      initAll();
    });
  } else {
    initAll();
  }
})();
