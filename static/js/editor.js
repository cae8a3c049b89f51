// The program editor: CodeMirror 6 over the form's <textarea>, with two
// kinds of marks: the span of an error (underlined) and the spans of the
// graph nodes under the pointer or the backward stepper (highlighted).
// Lines and columns from the server are 1-based and count characters
// (code points); CodeMirror counts UTF-16 units, hence `offsetOf`.

import {
  autocompletion,
  Decoration,
  EditorState,
  EditorView,
  StateEffect,
  StateField,
  basicSetup,
  classHighlighter,
  indentUnit,
  indentWithTab,
  keymap,
  python,
  syntaxHighlighting,
} from "../vendor/codemirror-6.0.2.bundle.min.js";

const setErrorMark = StateEffect.define();
const setSpanMarks = StateEffect.define();

const errorMark = Decoration.mark({ class: "cm-error-mark" });
const errorLine = Decoration.line({ class: "cm-error-line" });
const spanMark = Decoration.mark({ class: "cm-span-hl" });

function marksField(effect, build) {
  return StateField.define({
    create: () => Decoration.none,
    update(decorations, tr) {
      decorations = decorations.map(tr.changes);
      for (const e of tr.effects) if (e.is(effect)) decorations = build(e.value, tr.state);
      return decorations;
    },
    provide: (field) => EditorView.decorations.from(field),
  });
}

const errorField = marksField(setErrorMark, (range, state) => {
  if (!range) return Decoration.none;
  const line = state.doc.lineAt(range.from);
  const marks = [errorLine.range(line.from)];
  if (range.to > range.from) marks.push(errorMark.range(range.from, range.to));
  return Decoration.set(marks, true);
});

const spanField = marksField(setSpanMarks, (ranges) =>
  Decoration.set(
    ranges.filter((r) => r.to > r.from).map((r) => spanMark.range(r.from, r.to)),
    true,
  ),
);

function offsetOf(text, column) {
  let i = 0;
  for (let c = 1; c < column && i < text.length; c++) {
    i += text.codePointAt(i) > 0xffff ? 2 : 1;
  }
  return i;
}

function position(doc, line, column) {
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  return l.from + offsetOf(l.text, Math.max(column || 1, 1));
}

const WORD = /[\p{L}\p{N}_]/u;

/** A server span ({line, column, end_line?, end_column?}) as document offsets. */
function rangeOf(doc, span) {
  const from = position(doc, span.line, span.column);
  let to = span.end_line ? position(doc, span.end_line, span.end_column) : from;
  const line = doc.lineAt(from);
  if (to <= from) {
    // No end: the whole name or number that starts there (`rnage`, not its
    // `r`); else one character, or the last one at a line's end.
    const text = line.text;
    let end = from - line.from;
    while (end < text.length && WORD.test(text[end])) end++;
    if (end > from - line.from) to = line.from + end;
    else if (from < line.to) to = from + 1;
    else if (line.to > line.from) return { from: from - 1, to: from };
  }
  return { from, to };
}

const REVEAL_MARGIN = 8; // px kept between a revealed line and the scroller's edge

/** Scroll the editor's own scroller so the line at `pos` is in it, as
 * "nearest" would (no move if it is in already). Not EditorView.scrollIntoView:
 * that scrolls every scrolling ancestor, the window too, and took a phone's
 * page away from the graph and the stepper at every step. */
function revealInScroller(view, pos) {
  const scroller = view.scrollDOM;
  const block = view.lineBlockAt(pos); // from the document's top, in px
  // Where the document's top is in the scroller's scrolled content.
  const origin = view.documentTop - scroller.getBoundingClientRect().top + scroller.scrollTop;
  const top = origin + block.top - REVEAL_MARGIN;
  const bottom = origin + block.bottom + REVEAL_MARGIN;
  const height = scroller.clientHeight;
  if (top < scroller.scrollTop) scroller.scrollTop = top;
  else if (bottom > scroller.scrollTop + height) scroller.scrollTop = Math.min(top, bottom - height);
}

export function createEditor(container, textarea, { onChange, onRun, onLineHover, styleNonce }) {
  let quiet = false;
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        // Before basicSetup, so Mod-Enter runs rather than inserting a line.
        keymap.of([{ key: "Mod-Enter", run: () => (onRun(), true) }, indentWithTab]),
        basicSetup,
        // Completion on Ctrl+Space only: a popup at every name is noise while
        // learning, and it takes the first Escape of "Escape, Tab" (leave the editor).
        autocompletion({ activateOnTyping: false }),
        python(),
        syntaxHighlighting(classHighlighter),
        indentUnit.of("    "),
        EditorView.lineWrapping,
        // CodeMirror's stylesheet is a <style> element: the page's CSP lets it in by nonce.
        ...(styleNonce ? [EditorView.cspNonce.of(styleNonce)] : []),
        errorField,
        spanField,
        EditorView.contentAttributes.of({
          "aria-label":
            "Program, Python over torch. Once you type, Tab indents; Escape then Tab leaves.",
          "aria-describedby": "error",
          "data-gramm": "false",
        }),
        EditorView.updateListener.of((update) => {
          if (update.transactions.some((tr) => tr.isUserEvent("input") || tr.isUserEvent("delete"))) {
            update.view.setTabFocusMode(false); // typing: from now on Tab indents
          }
          if (update.docChanged) {
            textarea.value = update.state.doc.toString();
            if (!quiet) onChange(textarea.value);
          }
        }),
        EditorView.domEventHandlers({
          mousemove(event, v) {
            const pos = v.posAtCoords({ x: event.clientX, y: event.clientY }, false);
            onLineHover(pos === null ? null : v.state.doc.lineAt(pos).number);
          },
          mouseleave() {
            onLineHover(null);
          },
        }),
      ],
    }),
  });
  // Tab passes through the editor when it arrived by Tab (a keyboard user
  // moving through the page); after a click or once typing starts, Tab indents.
  let lastKeyWasTab = false;
  document.addEventListener("keydown", (e) => (lastKeyWasTab = e.key === "Tab"), true);
  document.addEventListener("pointerdown", () => (lastKeyWasTab = false), true);
  view.contentDOM.addEventListener("focus", () => view.setTabFocusMode(lastKeyWasTab));

  textarea.hidden = true;
  textarea.removeAttribute("name"); // the script submits; the plain form is not used
  container.appendChild(view.dom);

  return {
    view,
    text: () => view.state.doc.toString(),
    /** Replace the whole program without firing onChange. */
    setText(text) {
      if (text === view.state.doc.toString()) return;
      quiet = true;
      try {
        view.dispatch({
          changes: { from: 0, to: view.state.doc.length, insert: text },
          selection: { anchor: 0 },
        });
        view.scrollDOM.scrollTop = 0; // not scrollIntoView: that would scroll the page too
      } finally {
        quiet = false;
      }
    },
    markError(problem) {
      const range = problem && problem.line ? rangeOf(view.state.doc, problem) : null;
      view.dispatch({ effects: setErrorMark.of(range) });
    },
    markSpans(spans, scroll = false) {
      const doc = view.state.doc;
      const ranges = spans.filter(Boolean).map((s) => rangeOf(doc, s));
      view.dispatch({ effects: setSpanMarks.of(ranges) });
      if (scroll && ranges.length) revealInScroller(view, ranges[0].from);
    },
    /** The text a span covers (for captions). */
    textOf(span) {
      if (!span) return "";
      const r = rangeOf(view.state.doc, span);
      return view.state.doc.sliceString(r.from, r.to);
    },
    /** Focus without scrolling the page (the caller decides where to look). */
    focus: () => view.contentDOM.focus({ preventScroll: true }),
  };
}
