// The graph panel: the server's SVG, pan and zoom (svg-pan-zoom), hover
// and highlight. Node <g> elements carry the graph model's ids (n0, n1, ...)
// and edges theirs (e0, ...), so the model and the drawing meet by id.

import { asValueDoc, formatMeta, formatValue, keptNote } from "./format.js";

const MAX_ZOOM_ON_FIT = 1.5; // a three-node graph should not fill the screen

export class GraphView {
  constructor(container, tooltip, { onNodeHover, onEdgeHover } = {}) {
    this.container = container;
    this.frame = container.parentElement;
    this.tooltip = tooltip;
    this.onNodeHover = onNodeHover || (() => {});
    this.onEdgeHover = onEdgeHover || (() => {});
    this.graph = { nodes: [], edges: [], backward_order: [] };
    this.nodes = new Map();
    this.edges = new Map();
    this.panZoom = null;
    this.hovered = null;
    container.addEventListener("mouseover", (e) => this.#over(e));
    container.addEventListener("mousemove", (e) => this.#move(e));
    container.addEventListener("mouseleave", () => this.#leave());
    container.addEventListener("keydown", (e) => this.#key(e));
    window.addEventListener("resize", () => this.#refit());
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
    this.#destroyPanZoom();
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
    this.panZoom?.zoomBy(factor);
  }

  fit() {
    if (!this.panZoom) return;
    this.panZoom.resize();
    this.panZoom.fit();
    const real = this.panZoom.getSizes().realZoom;
    if (real > MAX_ZOOM_ON_FIT) this.panZoom.zoom(MAX_ZOOM_ON_FIT / real);
    this.panZoom.center();
  }

  #setModel(graph) {
    this.graph = graph || { nodes: [], edges: [], backward_order: [] };
    this.nodes = new Map(this.graph.nodes.map((n) => [n.id, n]));
    this.edges = new Map(this.graph.edges.map((e) => [e.id, e]));
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
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("focusable", "false");
    for (const g of svg.querySelectorAll("g.node, g.edge")) {
      if (this.nodes.has(g.id) || this.edges.has(g.id)) g.classList.add("is-live");
    }
    if (typeof window.svgPanZoom !== "function") return;
    // svg-pan-zoom sets `overflow: hidden` with setAttribute("style"), which the
    // page's CSP refuses; set it through CSSOM first and it leaves it alone.
    svg.style.overflow = "hidden";
    this.panZoom = window.svgPanZoom(svg, {
      zoomEnabled: true,
      panEnabled: true,
      controlIconsEnabled: false,
      dblClickZoomEnabled: true,
      mouseWheelZoomEnabled: true,
      zoomScaleSensitivity: 0.25,
      minZoom: 0.1,
      maxZoom: 25,
      fit: true,
      center: true,
    });
    this.fit();
  }

  #destroyPanZoom() {
    if (this.panZoom) {
      this.panZoom.destroy();
      this.panZoom = null;
    }
  }

  #refit() {
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => this.fit(), 120);
  }

  #over(event) {
    const g = event.target.closest?.("g.node, g.edge");
    const id = g && (this.nodes.has(g.id) || this.edges.has(g.id)) ? g.id : null;
    if (id === this.hovered) return;
    this.hovered = id;
    this.mark("is-hover", id ? [id] : []);
    const node = id ? this.nodes.get(id) : null;
    const edge = id ? this.edges.get(id) : null;
    this.onNodeHover(node || null);
    this.onEdgeHover(edge || null);
    if (node) this.#showTooltip(nodeTooltip(node));
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

  #key(event) {
    if (event.target !== this.container || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "+" || event.key === "=") this.zoomBy(1.25);
    else if (event.key === "-" || event.key === "_") this.zoomBy(0.8);
    else if (event.key === "0") this.fit();
    else return;
    event.preventDefault();
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
  return node.name || node.label;
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
