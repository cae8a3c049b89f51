// The backward stepper: walks graph.backward_order (the order backward()
// ran the nodes), lighting the current node, the gradients that reached it
// (edges from it to the nodes it fed, in make_dot's direction) and the ones
// it passes on (edges from its inputs to it), with a caption in words that
// names the node as the drawing does (`MulBackward0 #7`) and, in a loop, its
// iteration. A node of a collapsed loop lights the box that stands for it;
// the drawing pans to keep the current node in view.

import { asValueDoc, formatNumber, formatShape, formatValue } from "./format.js";
import { nodeTitle } from "./graph.js";

const PLAY_MS = 1100;
// A caption is read at each step and must end above a laptop's fold: tensors
// are abbreviated as the drawing's labels are (app/render/numbers.py: up to
// WHOLE elements whole, else the first HEAD and `…`), with their shape, and
// a node that feeds many others names the first LISTED of them. The whole
// value is in the code's title, the node's tooltip and "The graph as text".
const WHOLE = 5;
const HEAD = 3;
const LISTED = 4;

export class Stepper {
  constructor(root, graphView, { onStep, sourceOf }) {
    this.root = root;
    this.sourceOf = sourceOf || (() => "");
    this.graph = graphView;
    this.onStep = onStep;
    this.order = [];
    this.index = -1;
    this.timer = null;
    const $ = (id) => root.querySelector(`#${id}`);
    this.buttons = {
      start: $("step-start"),
      prev: $("step-prev"),
      next: $("step-next"),
      play: $("step-play"),
      exit: $("step-exit"),
    };
    this.count = $("step-count");
    this.caption = $("step-caption");
    this.idleCaption = [...this.caption.childNodes].map((n) => n.cloneNode(true));
    this.buttons.start.addEventListener("click", () => this.go(0));
    this.buttons.prev.addEventListener("click", () => this.prev());
    this.buttons.next.addEventListener("click", () => this.next());
    this.buttons.play.addEventListener("click", () => this.togglePlay());
    this.buttons.exit.addEventListener("click", () => this.exit());
    root.hidden = false;
  }

  get active() {
    return this.index >= 0;
  }

  /** A new graph: stop, and offer the walk if a backward pass ran and the
   * graph is drawn (`undrawn`: why it is not; there is nothing to walk on). */
  reset(graph, undrawn = "") {
    this.order = undrawn ? [] : (graph && graph.backward_order) || [];
    this.exit();
    this.buttons.start.disabled = this.order.length === 0;
    this.buttons.start.title =
      undrawn ||
      (this.order.length ? "Walk the backward pass node by node (→)" : "No backward pass ran: nothing requires grad");
    if (undrawn) this.count.textContent = "no drawing";
  }

  /** The graph on screen is no longer the program's (it changed and does not
   * run): no walking through it until a new answer resets the stepper. */
  suspend(reason) {
    this.exit();
    this.buttons.start.disabled = this.buttons.play.disabled = true;
    this.buttons.start.title = reason;
  }

  next() {
    if (this.order.length) this.go(this.active ? Math.min(this.index + 1, this.order.length - 1) : 0);
    if (this.index === this.order.length - 1) this.stopPlay();
  }

  prev() {
    if (this.active) this.go(Math.max(this.index - 1, 0));
  }

  togglePlay() {
    if (this.timer) return this.stopPlay();
    if (!this.active || this.index === this.order.length - 1) this.go(0);
    this.buttons.play.setAttribute("aria-pressed", "true");
    this.buttons.play.textContent = "Pause";
    this.timer = setInterval(() => this.next(), PLAY_MS);
  }

  stopPlay() {
    clearInterval(this.timer);
    this.timer = null;
    this.buttons.play.setAttribute("aria-pressed", "false");
    this.buttons.play.textContent = "Play";
  }

  exit() {
    this.stopPlay();
    this.index = -1;
    this.graph.container.classList.remove("stepping");
    for (const cls of ["is-current", "is-visited", "is-next", "grad-in", "grad-out"]) this.graph.mark(cls, []);
    this.caption.replaceChildren(...this.idleCaption.map((n) => n.cloneNode(true)));
    this.count.textContent = this.order.length ? `${this.order.length} steps` : "no backward pass";
    this.buttons.prev.disabled = this.buttons.next.disabled = true;
    this.buttons.play.disabled = this.order.length === 0;
    this.buttons.exit.disabled = true;
    this.root.classList.remove("is-active");
    this.buttons.start.textContent = "Step through backward()";
    this.onStep(null);
  }

  go(index) {
    if (!this.order.length) return;
    this.index = index;
    const id = this.order[index];
    const node = this.graph.nodes.get(id);
    const edges = this.graph.graph.edges;
    // make_dot draws edges input -> consumer; backward runs them the other way.
    const received = edges.filter((e) => e.source === id);
    const sent = edges.filter((e) => e.target === id);
    const drawn = (ids) => [...new Set(ids.map((i) => this.graph.drawnId(i)).filter(Boolean))];
    const here = this.graph.drawnId(id);
    this.graph.container.classList.add("stepping");
    this.graph.mark("is-current", here ? [here] : []);
    this.graph.mark("is-visited", drawn(this.order.slice(0, index)).filter((i) => i !== here));
    this.graph.mark("grad-in", received.map((e) => e.id));
    this.graph.mark("grad-out", sent.map((e) => e.id));
    this.graph.mark("is-next", drawn(sent.map((e) => e.source)).filter((i) => i !== here)); // where the gradient goes next
    this.graph.reveal([id]);
    this.count.textContent = `${index + 1} / ${this.order.length}`;
    this.buttons.prev.disabled = index === 0;
    this.buttons.next.disabled = index === this.order.length - 1;
    this.buttons.play.disabled = false;
    this.buttons.exit.disabled = false;
    this.root.classList.add("is-active");
    this.buttons.start.textContent = "Restart";
    const code = node && node.kind === "op" ? this.sourceOf(node.span) : "";
    const box = here && here !== id ? this.graph.runs.get(here) : null;
    this.caption.replaceChildren(
      ...describe(node, id, index, this.order.length, received, sent, this.graph.nodes, code, box),
    );
    this.onStep(node || null);
  }
}

function text(tag, cls, content) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  el.textContent = content;
  return el;
}

function grad(value) {
  if (value === null || value === undefined) return text("code", "is-grad", "—");
  const doc = asValueDoc(value);
  const short = shortValue(doc.value);
  const el = text("code", "is-grad", short);
  if (short !== formatValue(doc)) el.title = formatValue(doc);
  return el;
}

/** The sizes of a nested list's dimensions (its first element's, all the way down). */
function shapeOf(value) {
  const shape = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  return shape;
}

/** The first `limit` numbers of a nested list, in order. */
function head(value, limit) {
  const found = [];
  const walk = (v) => {
    for (const item of v) {
      if (found.length >= limit) return;
      if (Array.isArray(item)) walk(item);
      else found.push(item);
    }
  };
  walk(value);
  return found;
}

function oneLine(value) {
  return Array.isArray(value) ? "[" + value.map(oneLine).join(", ") + "]" : formatNumber(value);
}

/** A tensor in a caption: whole when small, else `[[a, b, c, …]] (16 × 8)`. */
export function shortValue(value) {
  if (!Array.isArray(value)) return formatValue(asValueDoc(value));
  const shape = shapeOf(value);
  const count = shape.reduce((n, size) => n * size, 1);
  if (count <= WHOLE) return oneLine(value);
  const depth = shape.length;
  const first = head(value, HEAD).map(formatNumber).join(", ");
  return `${"[".repeat(depth)}${first}, …${"]".repeat(depth)} (${formatShape(shape)})`;
}

/** A node as the drawing labels it: an op with its step (`MulBackward0 #7`). */
function name(node, id) {
  if (!node) return text("strong", null, id);
  const step = node.kind === "op" && node.step !== null && node.step !== undefined ? ` #${node.step + 1}` : "";
  return text("strong", null, nodeTitle(node) + step);
}

/** Where a node was made: its loop iterations and line, `(i = 2, line 3)`. */
function where(node) {
  const parts = (node.loops || []).map((l) => (l.target ? `${l.target} = ${l.iteration}` : `iteration ${l.iteration}`));
  if (node.loops && node.loops.length) parts[parts.length - 1] = `iteration ${node.loops.at(-1).iteration} of ${loopName(node.loops.at(-1))}`;
  if (node.span) parts.push(`line ${node.span.line}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

function loopName(step) {
  return step.target ? `for ${step.target}` : `the loop at line ${step.line}`;
}

/** `g to A, g to B and g to C`, of `edges` (the first LISTED, then how many more). */
function list(edges, nodes, end, word) {
  const shown = edges.length > LISTED ? edges.slice(0, LISTED - 1) : edges;
  const out = [];
  shown.forEach((e, i) => {
    if (i) out.push(i === edges.length - 1 ? " and " : ", ");
    out.push(grad(e.grad), ` ${word} `, name(nodes.get(e[end]), e[end]));
  });
  const more = edges.length - shown.length;
  if (more) out.push(` and ${more} more (“The graph as text” lists them)`);
  return out;
}

function describe(node, id, index, total, received, sent, nodes, code, box) {
  const parts = [text("span", "step-badge", `Step ${index + 1} of ${total}`), " "];
  if (!node) return [...parts, `node ${id}`];
  const made = code && code.length <= 60 ? [" ", text("code", "step-code", code)] : [];
  const at = [where(node), ...made];
  if (index === 0) {
    parts.push("backward() starts at ", name(node, id), ...at, " with gradient ", grad(1), ".");
  } else if (received.length) {
    parts.push(name(node, id), ...at, " receives ", ...list(received, nodes, "target", "from"));
    parts.push(received.length > 1 ? " (summed)" : "", ".");
  } else {
    parts.push(name(node, id), ...at, ".");
  }
  const leaf = sent.length === 1 ? nodes.get(sent[0].source) : null;
  if (node.label === "AccumulateGrad" && leaf) {
    // The end of a path: the sum lands in the leaf's .grad.
    parts.push(" It stores ", grad(sent[0].grad), " in ", text("code", null, `${leaf.name || "the leaf"}.grad`), ".");
  } else if (sent.length) {
    parts.push(" By the chain rule it passes ", ...list(sent, nodes, "source", "to"), ".");
  } else if (node.kind === "leaf" || node.label === "AccumulateGrad") {
    parts.push(" A leaf: the gradient is stored in ", text("code", null, `${node.name || "it"}.grad`));
    if (node.grad !== null && node.grad !== undefined) parts.push(" = ", grad(node.grad));
    parts.push(".");
  }
  if (box) {
    parts.push(
      ` Its iteration is one of the ${box.count} drawn as one box (“${box.count} more iterations”); `,
      "“Draw every iteration” shows it.",
    );
  }
  return parts;
}
