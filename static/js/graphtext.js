// The graph as text, for screen readers and for anyone who prefers a list:
// every node in reading order (inputs first, the output last, by the line
// that made it), with its value and gradient, who keeps the gradient, what
// it takes from and what it feeds, and the gradient each edge carried back.
// The drawing itself is aria-hidden; #graph's description points here.

import { asValueDoc, formatValue, keptNote } from "./format.js";
import { nodeTitle } from "./graph.js";

const MAX_ITEMS = 400; // a list a person can still move through

export class GraphText {
  constructor(root) {
    this.root = root;
    this.summary = root.querySelector("summary") || root.querySelector("[data-summary]");
    this.list = root.querySelector("ol") || root.appendChild(document.createElement("ol"));
  }

  show(answer) {
    const graph = answer && answer.graph;
    if (!graph || !graph.nodes.length) {
      this.#say("The graph as text: no graph for this program.");
      this.list.replaceChildren();
      return;
    }
    const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
    const boxOf = new Map();
    for (const run of graph.collapsed || []) for (const id of run.nodes) boxOf.set(id, run);
    const steps = graph.backward_order.length;
    this.#say(
      `The graph as text: ${graph.nodes.length} nodes, ${graph.edges.length} edges` +
        (steps ? `, backward() ran ${steps} steps` : "") +
        ((graph.collapsed || []).length ? `; ${graph.collapsed.length} long loop drawn collapsed` : ""),
    );
    const ordered = readingOrder(graph.nodes);
    const items = ordered.slice(0, MAX_ITEMS).map((node) => this.#item(node, graph, nodes, boxOf));
    if (ordered.length > MAX_ITEMS) {
      items.push(element("li", `and ${ordered.length - MAX_ITEMS} more nodes`));
    }
    this.list.replaceChildren(...items);
  }

  #say(text) {
    if (this.summary) this.summary.textContent = text;
  }

  #item(node, graph, nodes, boxOf) {
    const title = label(node);
    const parts = [describeKind(node), where(node)].filter(Boolean);
    const facts = [];
    if (node.value !== null && node.value !== undefined) facts.push(`value ${formatValue(asValueDoc(node.value))}`);
    if (node.grad !== null && node.grad !== undefined) {
      const note = node.kept && node.name ? ` (${keptNote(node.name, { kept: node.kept })})` : "";
      facts.push(`gradient ${formatValue(asValueDoc(node.grad))}${note}`);
    }
    const from = graph.edges.filter((e) => e.target === node.id);
    const to = graph.edges.filter((e) => e.source === node.id);
    if (from.length) {
      facts.push(
        "takes " + from.map((e) => `${label(nodes.get(e.source))}${passed(e)}`).join(", "),
      );
    }
    if (to.length) facts.push("feeds " + to.map((e) => label(nodes.get(e.target))).join(", "));
    const box = boxOf.get(node.id);
    if (box) facts.push(`drawn inside the box of ${box.count} more iterations`);
    const li = element("li", "");
    li.append(element("strong", title), ` ${parts.join(", ")}${facts.length ? ": " + facts.join("; ") : ""}.`);
    li.dataset.id = node.id;
    return li;
  }
}

function element(tag, text) {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
}

function label(node) {
  if (!node) return "?";
  const step = node.kind === "op" && node.step !== null && node.step !== undefined ? ` #${node.step + 1}` : "";
  return nodeTitle(node) + step;
}

function describeKind(node) {
  const kinds = { op: "a backward function", leaf: "a leaf tensor", output: "the output", saved: "a saved tensor", base: "a view's base" };
  const made = node.kind === "op" && node.name ? `, makes ${node.name}` : "";
  return (kinds[node.kind] || node.kind) + made;
}

function where(node) {
  const parts = (node.loops || []).map((l) => `${l.target ? `${l.target} = ` : "iteration "}${l.iteration}`);
  if (node.span) parts.push(`line ${node.span.line}`);
  return parts.join(", ");
}

function passed(edge) {
  if (edge.grad === null || edge.grad === undefined) return "";
  return ` (gradient ${formatValue(asValueDoc(edge.grad))} passed back)`;
}

/** Inputs first, the output last: by the line that made each node, then
 * the loop iterations, then the backward order reversed. */
export function readingOrder(nodes) {
  const rank = (n) => (n.kind === "output" ? 1 : 0);
  return [...nodes].sort((a, b) => {
    if (rank(a) !== rank(b)) return rank(a) - rank(b);
    const la = a.span ? a.span.line : 0;
    const lb = b.span ? b.span.line : 0;
    if (la !== lb) return la - lb;
    const ia = (a.loops || []).map((l) => l.iteration);
    const ib = (b.loops || []).map((l) => l.iteration);
    for (let k = 0; k < Math.max(ia.length, ib.length); k++) {
      if ((ia[k] ?? -1) !== (ib[k] ?? -1)) return (ia[k] ?? -1) - (ib[k] ?? -1);
    }
    // A tensor before the operations of its line; then backward's order, reversed.
    const ta = a.kind === "op" ? 1 : 0;
    const tb = b.kind === "op" ? 1 : 0;
    if (ta !== tb) return ta - tb;
    const sa = a.step ?? -1;
    const sb = b.step ?? -1;
    return sb - sa; // backward ran the later ones first
  });
}
