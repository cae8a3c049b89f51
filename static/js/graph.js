// The graph panel: the server's SVG, a readable view of it (viewport.js:
// pan, zoom, overview), hover and highlight. Node <g> elements carry the
// graph model's ids (n0, n1, ...) and edges theirs (e0, ...), so the model
// and the drawing meet by id; a collapsed loop's box is k0, k1, ...
// (graph.collapsed says which nodes each stands for).

import { asValueDoc, formatMeta, formatValue, keptNote } from "./format.js";
import { Viewport } from "./viewport.js";

export class GraphView {
  constructor(container, tooltip, { onNodeHover, onEdgeHover, onExpand, wheel = "pan" } = {}) {
    this.container = container;
    this.frame = container.parentElement;
    this.tooltip = tooltip;
    this.onNodeHover = onNodeHover || (() => {});
    this.onEdgeHover = onEdgeHover || (() => {});
    this.onExpand = onExpand || null;
    this.graph = { nodes: [], edges: [], backward_order: [], collapsed: [] };
    this.nodes = new Map();
    this.edges = new Map();
    this.boxOf = new Map(); // node id -> the collapsed box that stands for it
    this.runs = new Map(); // box id -> graph.collapsed's entry
    this.hovered = null;
    this.view = new Viewport(container, this.frame.querySelector(".overview"), { wheel });
    container.addEventListener("mouseover", (e) => this.#over(e));
    container.addEventListener("mousemove", (e) => this.#move(e));
    container.addEventListener("mouseleave", () => this.#leave());
    container.addEventListener("click", (e) => this.#click(e));
  }

  /** Take over an SVG already in the page (the server-rendered arrival). */
  adopt(graph) {
    this.#setModel(graph);
    const svg = this.container.querySelector("svg");
    if (svg) this.#prepare(svg);
  }

  /** Replace the drawing in one step (no blank frame in between); without
   * one, say why (`undrawn`, the answer's own words) where it would be. */
  show(svgText, graph, undrawn = "") {
    this.#setModel(graph);
    this.view.detach();
    if (!svgText) {
      const p = document.createElement("p");
      p.className = "graph-empty";
      p.textContent = undrawn || "No drawing for this program.";
      this.container.replaceChildren(p);
      return;
    }
    const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
    const svg = document.importNode(doc.documentElement, true);
    this.container.replaceChildren(svg);
    this.#prepare(svg);
  }

  setStale(stale) {
    this.frame.classList.toggle("is-stale", stale);
  }

  element(id) {
    const el = id ? this.container.querySelector(`svg [id="${CSS.escape(id)}"]`) : null;
    return el;
  }

  /** Put `cls` on exactly these node/edge ids (and take it off every other). */
  mark(cls, ids) {
    const wanted = new Set(ids);
    for (const el of this.container.querySelectorAll(`svg .${cls}`)) {
      if (!wanted.has(el.id)) el.classList.remove(cls);
    }
    for (const id of wanted) this.element(id)?.classList.add(cls);
  }

  zoomBy(factor) {
    this.view.zoomBy(factor);
  }

  /** The whole graph, however small (the Fit button, key 0). */
  fit() {
    this.view.whole();
  }

  /** The arrival's readable view (key 1). */
  readable() {
    this.view.readable();
  }

  /** The drawn element of a model id: the node itself, or the box it is in. */
  drawnId(id) {
    if (this.element(id)) return id;
    return this.boxOf.get(id) || null;
  }

  /** Pan so that these ids (or the boxes they are in) are in view. */
  reveal(ids) {
    const rects = ids
      .map((id) => this.element(this.drawnId(id)))
      .filter(Boolean)
      .map((el) => el.getBoundingClientRect());
    if (!rects.length) return false;
    const union = {
      left: Math.min(...rects.map((r) => r.left)),
      top: Math.min(...rects.map((r) => r.top)),
      right: Math.max(...rects.map((r) => r.right)),
      bottom: Math.max(...rects.map((r) => r.bottom)),
    };
    return this.view.reveal(union);
  }

  #setModel(graph) {
    this.graph = graph || { nodes: [], edges: [], backward_order: [], collapsed: [] };
    this.nodes = new Map(this.graph.nodes.map((n) => [n.id, n]));
    this.edges = new Map(this.graph.edges.map((e) => [e.id, e]));
    this.runs = new Map((this.graph.collapsed || []).map((run) => [run.id, run]));
    this.boxOf = new Map();
    for (const run of this.runs.values()) for (const id of run.nodes) this.boxOf.set(id, run.id);
    this.hovered = null;
    this.tooltip.hidden = true;
  }

  #prepare(svg) {
    // The root group's id "graph" would clash with the page's #graph.
    svg.querySelector('g.graph[id="graph"]')?.removeAttribute("id");
    // Native <title> tooltips would repeat ids like "n3" over ours.
    for (const title of svg.querySelectorAll("g.node > title, g.edge > title, g.cluster > title")) {
      title.remove();
    }
    svg.setAttribute("focusable", "false");
    svg.setAttribute("aria-hidden", "true"); // the text version is #graph-text
    for (const g of svg.querySelectorAll("g.node, g.edge")) {
      if (this.nodes.has(g.id) || this.edges.has(g.id) || this.runs.has(g.id)) g.classList.add("is-live");
    }
    this.view.attach(svg);
  }

  #click(event) {
    const g = event.target.closest?.("g.node");
    if (g && this.runs.has(g.id) && this.onExpand) this.onExpand(this.runs.get(g.id));
  }

  #over(event) {
    const g = event.target.closest?.("g.node, g.edge");
    const id = g && (this.nodes.has(g.id) || this.edges.has(g.id) || this.runs.has(g.id)) ? g.id : null;
    if (id === this.hovered) return;
    this.hovered = id;
    this.mark("is-hover", id ? [id] : []);
    const node = id ? this.nodes.get(id) : null;
    const edge = id ? this.edges.get(id) : null;
    const run = g && this.runs.has(g.id) ? this.runs.get(g.id) : null;
    this.onNodeHover(node || null);
    this.onEdgeHover(edge || null);
    if (run) this.#showTooltip(runTooltip(run, Boolean(this.onExpand)));
    else if (node) this.#showTooltip(nodeTooltip(node));
    else if (edge) this.#showTooltip(edgeTooltip(edge, this.nodes));
    else this.tooltip.hidden = true;
  }

  #move(event) {
    if (this.tooltip.hidden) return;
    const box = this.frame.getBoundingClientRect();
    const tip = this.tooltip.getBoundingClientRect();
    let x = event.clientX - box.left + 14;
    let y = event.clientY - box.top + 14;
    if (x + tip.width > box.width - 4) x = Math.max(4, event.clientX - box.left - tip.width - 14);
    if (y + tip.height > box.height - 4) y = Math.max(4, event.clientY - box.top - tip.height - 14);
    // CSSOM, not a style attribute: allowed under the CSP.
    this.tooltip.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
  }

  #leave() {
    if (this.hovered === null) return;
    this.hovered = null;
    this.mark("is-hover", []);
    this.tooltip.hidden = true;
    this.onNodeHover(null);
    this.onEdgeHover(null);
  }

  #showTooltip(content) {
    this.tooltip.replaceChildren(...content);
    this.tooltip.hidden = false;
  }

}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function row(label, text, cls) {
  const div = el("div", "tip-row");
  div.append(el("span", "tip-key", label), el("span", `tip-val ${cls || ""}`, text));
  return div;
}

export function nodeTitle(node) {
  if (node.kind === "op") return node.label;
  return node.name || node.label || (node.kind === "output" ? "output" : node.kind);
}

function nodeTooltip(node) {
  const parts = [el("div", "tip-title", nodeTitle(node))];
  const kinds = { op: "backward function", leaf: "leaf tensor", output: "output", saved: "saved tensor", base: "view base" };
  const sub = [kinds[node.kind] || node.kind];
  if (node.kind === "op" && node.name) sub.push(`makes ${node.name}`);
  if (node.kind !== "op" && node.label && node.label !== node.name) sub.push(node.label);
  parts.push(el("div", "tip-sub", sub.join(" · ")));
  const meta = formatMeta({ dtype: node.dtype, shape: node.shape });
  if (meta) parts.push(row("type", meta));
  if (node.value !== null && node.value !== undefined) {
    parts.push(row("value", formatValue(asValueDoc(node.value)), "is-value"));
  }
  if (node.grad !== null && node.grad !== undefined) {
    // The same words as the node's own row (app/render/words.py).
    const kept = node.kept === "leaf" || node.kept === "retain_grad";
    parts.push(row(kept ? ".grad" : node.kept ? "grad, not kept" : "grad", formatValue(asValueDoc(node.grad)), "is-grad"));
    if (node.kept && node.name) parts.push(el("div", "tip-sub", keptNote(node.name, { kept: node.kept })));
  }
  if (node.span) parts.push(row("line", String(node.span.line)));
  if (node.loops && node.loops.length) {
    parts.push(row("loop", node.loops.map((l) => `line ${l.line}, i = ${l.iteration}`).join("; ")));
  }
  if (node.step !== null && node.step !== undefined) {
    parts.push(row("backward", `step ${node.step + 1}`));
  }
  return parts;
}

function runTooltip(run, expandable) {
  const which = run.target ? `for ${run.target}` : `the loop at line ${run.line}`;
  const parts = [el("div", "tip-title", `${run.count} more iterations`)];
  parts.push(el("div", "tip-sub", `${which}, iterations ${run.first} to ${run.last}, drawn as one box`));
  parts.push(row("nodes", String(run.nodes.length)));
  if (expandable) parts.push(el("div", "tip-sub", "Click to draw every iteration"));
  return parts;
}

function edgeTooltip(edge, nodes) {
  const from = nodes.get(edge.source);
  const to = nodes.get(edge.target);
  const parts = [el("div", "tip-title", `${from ? nodeTitle(from) : edge.source} → ${to ? nodeTitle(to) : edge.target}`)];
  if (edge.grad !== null && edge.grad !== undefined) {
    parts.push(row("grad", formatValue(asValueDoc(edge.grad)), "is-grad"));
    parts.push(el("div", "tip-sub", "the gradient backward() passes back along this edge"));
  } else {
    parts.push(el("div", "tip-sub", "no gradient flows here"));
  }
  return parts;
}
