/*
 * The playground's code editor (issue 17): CodeMirror 6 with Python highlighting and line
 * numbers, put in place of the plain <textarea> the page serves, which stays the form field (the
 * editor writes back to it on every change), so the page works the same without this script.
 *
 * Bundled by esbuild (npm run build:editor, run by `make assets`) into
 * playground/static/playground/editor.bundle.js: CodeMirror is ES modules with bare imports.
 * Keyboard: Tab indents (Escape, then Tab leaves the editor, CodeMirror's own convention);
 * Ctrl/Cmd-Enter runs the program.
 */
// From the @codemirror/* packages themselves: npm's "codemirror" 6.65.7 is CodeMirror 5 under a
// version-5 tag, not CodeMirror 6's meta-package.
import { EditorState } from "@codemirror/state";
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
  drawSelection,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from "@codemirror/language";
import { python } from "@codemirror/lang-python";

// CodeMirror writes its theme into a <style> element; the playground page's CSP admits it by the
// nonce this script's own tag carries (playground/views.py), not by 'unsafe-inline'.
const styleNonce = document.currentScript ? document.currentScript.nonce : "";

function mount(textarea) {
  const form = textarea.form;
  const runKey = {
    key: "Mod-Enter",
    run: () => {
      form.requestSubmit(form.querySelector("button[value=run]"));
      return true;
    },
  };
  const view = new EditorView({
    doc: textarea.value,
    extensions: [
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightActiveLine(),
      drawSelection(),
      history(),
      indentOnInput(),
      bracketMatching(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      EditorState.tabSize.of(4),
      python(),
      EditorView.cspNonce.of(styleNonce || ""),
      keymap.of([runKey, indentWithTab, ...defaultKeymap, ...historyKeymap]),
      EditorView.contentAttributes.of({ "aria-label": "Python program" }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) {
          textarea.value = update.state.doc.toString();
        }
      }),
    ],
  });
  textarea.hidden = true;
  textarea.after(view.dom);
  view.dom.classList.add("playground-editor");
}

document.querySelectorAll("textarea[data-playground-editor]").forEach(mount);
