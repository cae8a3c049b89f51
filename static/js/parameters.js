// A model on the page: its Parameters table (name, shape, gradient norm),
// and the graph's module boxes (`fc1: Linear`), which light up the line that
// made their module while hovered.
//
// The page calls `show(answer)` with each answer; everything else it needs
// comes through the hooks it is given, so this module knows neither the
// editor nor the graph view:
//   current()        the answer on screen (its graph model)
//   usable()         whether the editor still holds that answer's program
//   onRowHover(name) a table row hovered (null when left): the graph marks it
//   onBoxHover(span) a module box hovered: the span of the module's line
//                    (null when left); the editor marks it

import { formatNumber, formatShape } from "./format.js";

const MODULE_BOX = /_M(\d+)$/; // cluster ..._M<call>: app/render/module_boxes.py

export class ModelPanel {
  constructor(card, container, graphContainer, hooks) {
    this.card = card;
    this.container = container;
    this.hooks = hooks;
    this.box = null;
    container.addEventListener("mouseover", (event) => {
      const row = event.target.closest("tr[data-name]");
      hooks.onRowHover(row ? row.dataset.name : null);
    });
    container.addEventListener("mouseleave", () => hooks.onRowHover(null));
    graphContainer.addEventListener("mouseover", (event) => this.#over(event));
    graphContainer.addEventListener("mouseleave", () => this.#hover(null));
  }

  /** The Parameters table of an answer; hidden when the program holds no model. */
  show(answer) {
    const rows = (answer && answer.parameters) || [];
    this.card.hidden = !rows.length;
    this.container.replaceChildren(rows.length ? table(rows) : "");
  }

  #over(event) {
    const cluster = event.target.closest?.("g.cluster");
    this.#hover(cluster && MODULE_BOX.test(cluster.id) ? cluster : null);
  }

  #hover(cluster) {
    if (cluster === this.box) return;
    this.box?.classList.remove("is-hovered");
    this.box = cluster;
    if (!cluster) {
      this.hooks.onBoxHover(null);
      return;
    }
    cluster.classList.add("is-hovered");
    const call = Number(MODULE_BOX.exec(cluster.id)[1]);
    const answer = this.hooks.current();
    const span = answer && this.hooks.usable() ? moduleSpan(answer.graph, call) : null;
    this.hooks.onBoxHover(span);
  }
}

/** Where the module of call number `call` was made, from the graph model. */
export function moduleSpan(graph, call) {
  for (const node of (graph && graph.nodes) || []) {
    const step = (node.modules || []).find((m) => m.call === call);
    if (step) return step.span;
  }
  return null;
}

function table(rows) {
  const table = document.createElement("table");
  table.className = "grad-table params-table";
  const head = table.createTHead().insertRow();
  for (const label of ["Parameter", "Shape", "Gradient norm"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = label;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    tr.dataset.name = row.name;
    const th = document.createElement("th");
    th.scope = "row";
    th.appendChild(Object.assign(document.createElement("code"), { textContent: row.name }));
    tr.appendChild(th);
    const shape = tr.insertCell();
    shape.className = "shape";
    shape.textContent = formatShape(row.shape);
    const norm = tr.insertCell();
    norm.className = "num";
    norm.textContent = row.grad_norm === null ? "None" : formatNumber(row.grad_norm);
  }
  return table;
}
