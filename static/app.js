// The page's script: upgrades the server-rendered form (static/js/*).
//
// The server has already evaluated the program in the URL and rendered
// the graph, value and gradients; its answer is in #initial-state. From then
// on each change of program, inputs or options is sent to
// POST /api/v1/evaluate after 300 ms of quiet, the newest request wins
// (older ones are aborted, and a late answer is dropped by its sequence
// number), and the URL is rewritten so it is always the permalink.

import { createEditor } from "./js/editor.js";
import { FiguresPanel } from "./js/figures.js";
import { formatMeta, formatShape, formatValue, keptNote } from "./js/format.js";
import { Gallery } from "./js/gallery.js";
import { GraphView } from "./js/graph.js";
import { GraphText } from "./js/graphtext.js";
import { ModelPanel } from "./js/parameters.js";
import { SharePanel } from "./js/share.js";
import { watchScrollables } from "./js/scrollable.js";
import { fromQuery, formatInputs, parseInputs, toQuery } from "./js/state.js";
import { Stepper } from "./js/stepper.js";

const QUIET_MS = 300;
const BUSY_AFTER_MS = 250;
// An error is announced (politely) only once typing has stopped this long:
// half a name ("torch.ten") is not worth interrupting anyone for.
const ANNOUNCE_ERROR_AFTER_MS = 1500;
const THEME_KEY = "avz-theme";
const THEME_COOKIE = "avz_theme";

const $ = (id) => document.getElementById(id);
const initial = JSON.parse($("initial-state").textContent);
const defaults = initial.defaults;
const reserved = new Set(["source", "output", ...Object.keys(defaults)]);
const form = $("program");

// ---- state -----------------------------------------------------------------

const state = {
  source: initial.state.source,
  inputsText: $("inputs").value,
  output: initial.state.output || "",
  options: { ...defaults, ...initial.state.options },
};
let result = initial.result; // the answer on screen
let problem = initial.error; // the server's last problem, if its last answer was one
let inputsProblem = false;
let shownSource = initial.state.source; // the program that answer is for
let lastSent = null;
let sequence = 0;
let controller = null;
let quietTimer = null;
let busyTimer = null;

// ---- theme -----------------------------------------------------------------

const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");

function preferredTheme() {
  const stored = localStorage.getItem(THEME_KEY);
  if (stored === "light" || stored === "dark") return stored;
  return darkQuery.matches ? "dark" : "light";
}

// The theme is the visitor's own: it never goes into the address bar or a
// shared link (permalink, <img>, <iframe>). A course page in light colours
// must not get a dark embed because its author's desktop prefers dark, and a
// classmate opening a link sees it in their own theme.

function applyTheme(theme) {
  state.options.theme = theme;
  document.documentElement.dataset.theme = theme;
  const toggle = $("theme-toggle");
  toggle.setAttribute("aria-pressed", String(theme === "dark"));
  toggle.title = theme === "dark" ? "Switch to the light theme" : "Switch to the dark theme";
  // The server reads this to render the next arrival in the same theme.
  document.cookie = `${THEME_COOKIE}=${theme}; path=/; max-age=31536000; SameSite=Lax`;
}

// ---- components ------------------------------------------------------------

/** Whether `after` is another program rather than an edit of `before`: what
 * the two share at their start and end is under a tenth of the old text. */
function replaced(before, after) {
  if (before.length < 20 || after.length < 20) return false;
  let start = 0;
  while (start < before.length && before[start] === after[start]) start += 1;
  let end = 0;
  const most = Math.min(before.length, after.length) - start;
  while (end < most && before[before.length - 1 - end] === after[after.length - 1 - end]) end += 1;
  return start + end < before.length / 10;
}

const editor = createEditor($("source"), $("source-text"), {
  styleNonce: initial.style_nonce,
  onChange(text) {
    const before = state.source;
    state.source = text;
    lastTyped = performance.now();
    clearTimeout(announceTimer); // a pending error may be gone by the next answer
    // A lesson's output name that the new program no longer mentions would
    // only produce "no variable y"; one kept across a program pasted over the
    // whole text would draw the old program's choice (its `y`, not what the
    // new program's make_dot draws): fall back to the program's own result.
    const name = state.output.trim();
    const unnamed = /^[A-Za-z]\w*$/.test(name) && !new RegExp(`\\b${name}\\b`).test(text);
    if (name && (unnamed || replaced(before, text))) {
      state.output = "";
      $("output").value = "";
    }
    schedule();
  },
  onRun: () => run(true),
  onLineHover(line) {
    if (line === null || editor.text() !== shownSource || !result) {
      graph.mark("is-linked", []);
      return;
    }
    const ids = result.graph.nodes
      .filter((n) => n.span && n.span.line <= line && line <= (n.span.end_line || n.span.line))
      .map((n) => n.id);
    // A line's nodes in a collapsed loop light its box.
    graph.mark("is-linked", [...new Set(ids.map((id) => graph.drawnId(id)).filter(Boolean))]);
    clearTimeout(revealTimer);
    if (ids.length && !stepper.active) revealTimer = setTimeout(() => graph.reveal(ids.slice(0, 1)), 250);
  },
});
// A long program scrolls inside the editor, and the keyboard scrolls it by
// moving the caret in the editable text, which Tab already reaches. Saying so
// with tabindex="0" (the same place in the tab order, no new stop) lets
// checkers see it (axe-core's scrollable-region-focusable does not count a
// contenteditable); CodeMirror leaves attributes it did not set alone.
editor.view.contentDOM.tabIndex = 0;
let revealTimer = null;

const graph = new GraphView($("graph"), $("tooltip"), {
  onNodeHover(node) {
    if (stepper.active) return;
    const usable = node && node.span && editor.text() === shownSource;
    editor.markSpans(usable ? [node.span] : []);
  },
  onExpand: () => expandLoops(),
});

/** Draw every iteration of the collapsed loops (the box, or the button). */
function expandLoops() {
  state.options.loops = "expanded";
  writeControls();
  run(false);
}

const stepper = new Stepper($("stepper"), graph, {
  sourceOf: (span) => (span && editor.text() === shownSource ? editor.textOf(span) : ""),
  onStep(node) {
    const usable = node && node.span && editor.text() === shownSource;
    editor.markSpans(usable ? [node.span] : [], true);
  },
});

const share = new SharePanel($("share"));
const figures = new FiguresPanel($("figures"));
const TOO_LONG = "The program is too long for a link: download the SVG instead";
/** The query of a link to this state, or null if the server would refuse it (414). */
const linkable = (query) => (query.length <= initial.max_query_chars ? query : null);
const graphText = new GraphText($("graph-text"));

// ---- announcements (screen readers) ------------------------------------------

let announceTimer = null;
let lastTyped = 0;

function announce(message) {
  clearTimeout(announceTimer);
  // Re-set, so the same words (the same value again) are read again.
  $("announce").textContent = "";
  requestAnimationFrame(() => ($("announce").textContent = message));
}

function announceResult(doc) {
  const name = doc.output_name ? `${doc.output_name} = ` : "Value ";
  const value = formatValue(doc).split("\n")[0];
  const grads = Object.entries(doc.gradients || {})
    .slice(0, 4)
    .map(([n, g]) => `gradient of ${n}: ${g ? formatValue(g).split("\n")[0] : "None"}`);
  announce([name + value, ...grads].join(". ") + ".");
}

/** A problem is read out once typing has paused ANNOUNCE_ERROR_AFTER_MS. */
function announceProblem(shown) {
  clearTimeout(announceTimer);
  const wait = Math.max(0, lastTyped + ANNOUNCE_ERROR_AFTER_MS - performance.now());
  const where = shown.line ? ` on line ${shown.line}, column ${shown.column}` : "";
  const message = `${shown.title || "Error"}${where}: ${shown.detail || ""}`;
  announceTimer = setTimeout(() => announce(message), wait);
}

const model = new ModelPanel($("parameters-card"), $("parameters"), $("graph"), {
  current: () => result,
  usable: () => editor.text() === shownSource,
  onRowHover(name) {
    const ids = name && result ? result.graph.nodes.filter((n) => n.name === name).map((n) => n.id) : [];
    graph.mark("is-linked", ids);
  },
  onBoxHover(span) {
    if (!stepper.active) editor.markSpans(span ? [span] : []);
  },
});

const gallery = new Gallery($("lessons"), {
  onLoad(lesson) {
    if (lesson.search !== undefined) {
      loadState(fromQuery(lesson.search, defaults));
    } else {
      loadState({
        source: lesson.source,
        output: lesson.output,
        inputsText: formatInputs(lesson.inputs),
        options: state.options,
      });
    }
    run(true, "push");
    if (lastPointer === "touch") {
      $("program").scrollIntoView({ block: "start" });
    } else {
      window.scrollTo({ top: 0 });
      editor.focus();
    }
  },
});

// ---- evaluation ------------------------------------------------------------

function schedule(delay = QUIET_MS) {
  clearTimeout(quietTimer);
  quietTimer = setTimeout(() => run(false), delay);
}

function request() {
  const parsed = parseInputs(state.inputsText, reserved);
  if (parsed.error) return { error: parsed.error };
  return {
    body: {
      source: state.source,
      inputs: parsed.inputs,
      output: state.output.trim() || null,
      options: state.options,
    },
    query: toQuery({ ...state, options: { ...state.options, theme: defaults.theme } }, parsed.inputs, defaults),
  };
}

async function run(force, history = "replace") {
  clearTimeout(quietTimer);
  const built = request();
  $("inputs").setCustomValidity(built.error || "");
  $("inputs").classList.toggle("is-invalid", Boolean(built.error));
  if (built.error) {
    inputsProblem = true;
    showProblem({ title: "Inputs", detail: built.error }, false);
    return;
  }
  if (inputsProblem) {
    inputsProblem = false;
    if (problem) showProblem(problem);
    else {
      hideProblem();
      if (result) showCurrent(); // the inputs are back to those of the answer on screen, or a new one comes
    }
  }
  const text = JSON.stringify(built.body);
  if (!force && text === lastSent) return;
  lastSent = text;
  if (built.query.length <= initial.max_query_chars) {
    writeURL(built.query, history);
    share.update(built.query);
  } else {
    // The server would answer such a link 414: keep the address bar's last
    // working link rather than one that loses the program on reload.
    share.unavailable(
      `Too long to share as a link: its query would be ${built.query.length.toLocaleString("en")} ` +
        `characters, the server takes ${initial.max_query_chars.toLocaleString("en")}`,
    );
  }

  const mine = ++sequence;
  controller?.abort();
  controller = new AbortController();
  clearTimeout(busyTimer);
  busyTimer = setTimeout(() => ($("busy").hidden = false), BUSY_AFTER_MS);
  const started = performance.now();
  let response;
  let doc;
  try {
    response = await fetch("/api/v1/evaluate", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: text,
      signal: controller.signal,
    });
    doc = await response.json();
  } catch (error) {
    if (error.name === "AbortError" || mine !== sequence) return;
    finish(mine);
    unreachable();
    return;
  }
  if (mine !== sequence) return; // a newer request is on its way: never show an older answer
  finish(mine);
  reachable();
  if (response.ok) {
    showResult(doc, built.body.source);
    figures.show(doc.figures, linkable(built.query), TOO_LONG, built.body.options.theme);
    $("status").textContent = `${Math.round(performance.now() - started)} ms`;
    $("status").title = "Time of the last evaluation";
  } else {
    showProblem(doc && doc.detail ? doc : { title: `Error ${response.status}`, detail: response.statusText });
  }
}

// ---- the server away and back ----------------------------------------------

// When the server does not answer (restarting, the network gone), the page
// says so in a reader's words and asks again by itself, 2, 4, 8 ... 30 s
// apart and when the browser comes back online: the answer appears when
// the server does, without an edit (it used to stay "did not answer").
const RETRY_MS = [2000, 4000, 8000, 15000, 30000];
let retries = 0;
let retryTimer = null;

function unreachable() {
  const wait = RETRY_MS[Math.min(retries, RETRY_MS.length - 1)];
  retries += 1;
  showProblem(
    {
      title: "Can't reach the server",
      detail: `No answer came back: the server may be restarting, or the connection is down. Trying again in ${wait / 1000} s.`,
    },
    false,
  );
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => run(true), wait);
}

function reachable() {
  retries = 0;
  clearTimeout(retryTimer);
}

window.addEventListener("online", () => {
  if (retries) run(true);
});

function finish(mine) {
  if (mine !== sequence) return;
  clearTimeout(busyTimer);
  $("busy").hidden = true;
}

function writeURL(query, history) {
  // The query is also kept in the entry's state: the arrival at a bare "/" keeps
  // its short URL, and Back to it still knows which program it showed.
  const url = `/?${query}`;
  if (history === "push") window.history.pushState({ query }, "", url);
  else window.history.replaceState({ query }, "", url);
}

// ---- rendering -------------------------------------------------------------

function showResult(doc, source) {
  result = doc;
  problem = null;
  shownSource = source;
  const undrawn = undrawnReason(doc);
  graph.show(doc.svg, doc.graph, undrawn);
  showCurrent();
  hideProblem();

  $("value-name").textContent = doc.output_name || "";
  $("value-of").hidden = !doc.output_name; // "Value of y", or just "Value" for an unnamed expression
  $("value").textContent = formatValue(doc);
  $("value").classList.toggle("is-array", Array.isArray(doc.value));
  $("value-meta").textContent = formatMeta(doc);
  $("stdout").textContent = doc.stdout || "";
  $("stdout-box").hidden = !doc.stdout;
  const warnings = $("warnings");
  warnings.replaceChildren(
    ...(doc.warnings || []).map((w) => Object.assign(document.createElement("li"), { textContent: w })),
  );
  warnings.hidden = !(doc.warnings || []).length;
  $("gradients").replaceChildren(gradientTable(doc.gradients || {}));
  model.show(doc);
  graphText.show(doc);
  watchTextBoxes();
  gallery.markActive(source);
  announceResult(doc);
}

/** The answer's boxes that may scroll (a long value, a weight's gradient, a
 * long print, the graph as text), each with the name a keyboard user hears
 * when it becomes a tab stop (static/js/scrollable.js). */
function watchTextBoxes() {
  const rows = document.querySelectorAll("#gradients tr[data-name]");
  watchScrollables([
    [$("value"), $("value-heading").textContent.replace(/\s+/g, " ").trim()],
    ...[...rows].map((row) => [row.querySelector("pre.num"), `Gradient of ${row.dataset.name}`]),
    [$("stdout"), "Printed output"],
    [document.querySelector("#graph-text ol"), "The graph as text"],
  ]);
}

/** Why the answer has no drawing ("" if it has one), in its own words. */
function undrawnReason(doc) {
  if (doc.svg || doc.drawn) return ""; // drawn: the arrival's answer, whose SVG is in the page
  return (doc.warnings || []).find((w) => w.startsWith("The graph is not drawn")) || "No drawing for this program.";
}

/** The answer on screen is the program's and the inputs' own: not greyed, and its backward pass can be walked. */
function showCurrent() {
  const undrawn = undrawnReason(result);
  const runs = (result.graph && result.graph.collapsed) || [];
  $("expand-loops").hidden = !runs.length;
  if (runs.length) {
    const hidden = runs.reduce((sum, r) => sum + r.count, 0);
    $("expand-loops").textContent = `Draw all ${hidden} hidden iterations`;
  }
  stepper.reset(result.graph, undrawn);
  share.drawable(!undrawn, undrawn);
  setStale(false);
}

const NOT_THIS_PROGRAM = "The graph on screen is not this program's: fix the error first";

function setStale(stale) {
  graph.setStale(stale);
  figures.setStale(stale);
  document.querySelector(".results").classList.toggle("is-stale", stale);
}

function gradientTable(gradients) {
  const names = Object.keys(gradients);
  if (!names.length) {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = "No tensor here requires grad, so there is nothing to differentiate.";
    return p;
  }
  const table = document.createElement("table");
  table.className = "grad-table";
  const head = table.createTHead().insertRow();
  for (const label of ["Tensor", "Shape", "Gradient"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = label;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const name of names) {
    const grad = gradients[name];
    const tr = body.insertRow();
    tr.dataset.name = name;
    const th = document.createElement("th");
    th.scope = "row";
    th.appendChild(document.createElement("code")).append(...dotBreaks(name));
    tr.appendChild(th);
    const shape = tr.insertCell();
    shape.className = "shape";
    shape.textContent = grad ? formatShape(grad.shape) : "";
    const pre = document.createElement("pre");
    pre.className = "num";
    pre.textContent = grad ? formatValue(grad) : "None";
    const cell = tr.insertCell();
    cell.appendChild(pre);
    const note = keptNote(name, grad);
    if (note) cell.appendChild(element("span", "kept-note", "")).append(...dotBreaks(note));
    if (grad && grad.kept) tr.dataset.kept = grad.kept;
  }
  return table;
}

/** Text with a line-break opportunity after each dot (<wbr>), so a narrow
 * card wraps `model.W0.weight` as `model.W0.` / `weight`, not mid-word. The
 * template does the same (index.html). */
function dotBreaks(text) {
  const parts = text.split(".");
  return parts.flatMap((part, i) => (i < parts.length - 1 ? [part + ".", document.createElement("wbr")] : [part]));
}

function showProblem(shown, fromServer = true) {
  if (fromServer) problem = shown;
  const box = $("error");
  const parts = [element("strong", "error-title", shown.title || "Error")];
  if (shown.line) {
    parts.push(" ", element("span", "error-where", `Line ${shown.line}, column ${shown.column}`));
  }
  parts.push(element("p", "error-detail", shown.detail || ""));
  box.replaceChildren(...parts);
  box.hidden = false;
  editor.markError(fromServer ? shown : null);
  announceProblem(shown);
  // What is on screen is no longer the program's (or the inputs'): grey it,
  // and no walking through a graph of code that is not in the editor.
  stepper.suspend(NOT_THIS_PROGRAM);
  share.drawable(false, NOT_THIS_PROGRAM);
  setStale(true);
  $("status").textContent = "";
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  el.className = className;
  el.textContent = text;
  return el;
}

function hideProblem() {
  $("error").hidden = true;
  $("error").replaceChildren();
  editor.markError(null);
}

// ---- controls --------------------------------------------------------------

function readOptions() {
  for (const name of Object.keys(defaults)) {
    const control = form.elements.namedItem(name);
    if (!control || control.type === "hidden") continue;
    state.options[name] = control.type === "checkbox" ? control.checked : control.value;
  }
}

// make_dot's own look has no values, gradients or loop boxes to switch.
const DEFAULT_STYLE_ONLY = [
  "show_values", "show_grads", "show_edge_grads", "group_loops", "group_modules",
];

function syncStyleControls() {
  const torchviz = state.options.style === "torchviz";
  for (const name of DEFAULT_STYLE_ONLY) {
    const control = form.elements.namedItem(name);
    if (!control) continue;
    control.disabled = torchviz;
    control.closest("label").classList.toggle("is-disabled", torchviz);
    control.closest("label").title = torchviz ? "Only in the autograd-viz style" : "";
  }
}

function writeControls() {
  for (const name of Object.keys(defaults)) {
    const control = form.elements.namedItem(name);
    if (!control || control.type === "hidden") continue;
    if (control.type === "checkbox") control.checked = Boolean(state.options[name]);
    else control.value = state.options[name];
  }
  $("inputs").value = state.inputsText;
  $("output").value = state.output;
  syncStyleControls();
}

/** Put a whole state (a lesson, or the URL after Back) on the page. */
function loadState(next) {
  state.source = next.source ?? "";
  state.output = next.output || "";
  state.inputsText = next.inputsText || "";
  const theme = state.options.theme;
  state.options = { ...defaults, ...next.options, theme };
  editor.setText(state.source);
  writeControls();
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run(true);
});
$("inputs").addEventListener("input", (e) => {
  state.inputsText = e.target.value;
  schedule();
});
$("output").addEventListener("input", (e) => {
  state.output = e.target.value;
  schedule();
});
$("options").addEventListener("change", () => {
  readOptions();
  syncStyleControls();
  run(false);
});

$("theme-toggle").hidden = false;
$("theme-toggle").addEventListener("click", () => {
  const theme = state.options.theme === "dark" ? "light" : "dark";
  localStorage.setItem(THEME_KEY, theme);
  applyTheme(theme);
  run(false);
});
darkQuery.addEventListener("change", () => {
  if (localStorage.getItem(THEME_KEY)) return;
  applyTheme(preferredTheme());
  run(false);
});

$("zoom-controls").hidden = false;
$("expand-loops").addEventListener("click", () => expandLoops());
$("zoom-in").addEventListener("click", () => graph.zoomBy(1.25));
$("zoom-out").addEventListener("click", () => graph.zoomBy(0.8));
$("zoom-fit").addEventListener("click", () => graph.fit());

$("gradients").addEventListener("mouseover", (event) => {
  const row = event.target.closest("tr[data-name]");
  const ids = row && result ? result.graph.nodes.filter((n) => n.name === row.dataset.name).map((n) => n.id) : [];
  graph.mark("is-linked", ids);
});
$("gradients").addEventListener("mouseleave", () => graph.mark("is-linked", []));

document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
    event.preventDefault();
    run(true);
    return;
  }
  // The arrows step through the backward pass only where they would do
  // nothing else: not in a field, and not on a link or button of another
  // panel (the stepper's own buttons and the graph keep them).
  const target = event.target;
  const typing = target.closest?.("input, textarea, select, .cm-editor, [contenteditable]");
  // On the focused drawing, the arrows pan it (viewport.js).
  const elsewhere = (target.closest?.("a, button") && !target.closest("#stepper")) || target.closest?.("#graph");
  if (typing || elsewhere || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "ArrowRight" && !stepper.buttons.start.disabled) stepper.next();
  else if (event.key === "ArrowLeft" && stepper.active) stepper.prev();
  else if (event.key === "Escape" && stepper.active) stepper.exit();
  else return;
  event.preventDefault();
});

window.addEventListener("popstate", (event) => {
  // A same-page link (#gallery, the skip link) makes a history entry of its
  // own, with no state and often no query: it is the same program, scrolled.
  // Only an entry of ours, or an address with a program in it, is a state.
  let query = event.state && event.state.query !== undefined ? event.state.query : null;
  if (query === null && new URLSearchParams(window.location.search).has("source")) {
    query = window.location.search;
  }
  if (query === null) return;
  loadState(fromQuery(query, defaults));
  run(true);
});

// The skip link goes to the editor itself (the textarea it names is hidden
// once CodeMirror runs), without a history entry.
document.querySelector(".skip-link")?.addEventListener("click", (event) => {
  event.preventDefault();
  editor.focus();
  $("source").scrollIntoView({ block: "nearest" });
});

// How the last press came: a tap on a lesson must not open the on-screen
// keyboard (focusing the editor does), a click or Enter may.
let lastPointer = "mouse";
document.addEventListener("pointerdown", (event) => (lastPointer = event.pointerType), true);
document.addEventListener("keydown", () => (lastPointer = "keyboard"), true);

// ---- arrival ---------------------------------------------------------------

for (const element of document.querySelectorAll(".js-only")) element.hidden = false;
const arrivedTheme = state.options.theme;
applyTheme(initial.theme_from_url ? arrivedTheme : preferredTheme());
syncStyleControls();
graph.adopt(result && result.graph);
if (result) graphText.show(result);
watchTextBoxes();
if (result && !initial.error) showCurrent();
else stepper.reset(result && result.graph, result ? undrawnReason(result) : "");
if (initial.error) {
  editor.markError(initial.error);
  graph.setStale(Boolean(result));
  if (result) stepper.suspend(NOT_THIS_PROGRAM);
}
{
  const built = request();
  if (!built.error) {
    lastSent = JSON.stringify(built.body);
    share.update(built.query);
    window.history.replaceState({ query: built.query }, "");
  }
  if (result) {
    figures.show(
      result.figures,
      built.error ? null : linkable(built.query),
      TOO_LONG,
      state.options.theme,
    );
    figures.setStale(Boolean(initial.error));
  }
  if (initial.error) share.drawable(false, NOT_THIS_PROGRAM);
  else if (result) share.drawable(!undrawnReason(result), undrawnReason(result));
}
gallery.ready.then(() => gallery.markActive(editor.text()));
if (state.options.theme !== arrivedTheme) run(true); // draw the graph in this visitor's theme
