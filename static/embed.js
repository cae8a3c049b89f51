// The /embed page: pan, zoom and hover on the server-rendered graph. No
// editor, no requests: the page is complete as the server sent it.

import { GraphView } from "./js/graph.js";

const initial = JSON.parse(document.getElementById("initial-state").textContent);
const graph = new GraphView(document.getElementById("graph"), document.getElementById("tooltip"));
graph.adopt(initial.result && initial.result.graph);

document.getElementById("gradients")?.addEventListener("mouseover", (event) => {
  const item = event.target.closest("[data-name]");
  const nodes = initial.result ? initial.result.graph.nodes : [];
  graph.mark("is-linked", item ? nodes.filter((n) => n.name === item.dataset.name).map((n) => n.id) : []);
});
