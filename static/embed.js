// The /embed page: a readable view of the server-rendered graph (pan, zoom,
// Fit, the overview), hover, and the graph as text. No editor, no requests:
// the page is complete as the server sent it. The wheel scrolls the course
// page around the iframe (Ctrl + wheel zooms); a collapsed loop's box opens
// the same embed with every iteration drawn.

import { GraphView } from "./js/graph.js";
import { GraphText } from "./js/graphtext.js";
import { watchScrollables } from "./js/scrollable.js";

const $ = (id) => document.getElementById(id);
const initial = JSON.parse($("initial-state").textContent);
const graph = new GraphView($("graph"), $("tooltip"), {
  wheel: "page",
  onExpand() {
    const query = new URLSearchParams(window.location.search);
    query.set("loops", "expanded");
    window.location.search = query.toString();
  },
});
graph.adopt(initial.result && initial.result.graph);
const text = $("graph-text");
if (text && initial.result) new GraphText(text).show(initial.result);

// A model's gradients scroll in their strip (the graph keeps the frame): a
// tab stop while they do.
watchScrollables([
  [$("gradients"), "Gradients"],
  [document.querySelector(".embed-bar"), "Value and gradients"],
]);

$("zoom-controls").hidden = false;
$("zoom-in").addEventListener("click", () => graph.zoomBy(1.25));
$("zoom-out").addEventListener("click", () => graph.zoomBy(0.8));
$("zoom-fit").addEventListener("click", () => graph.fit());

$("gradients")?.addEventListener("mouseover", (event) => {
  const item = event.target.closest("[data-name]");
  const nodes = initial.result ? initial.result.graph.nodes : [];
  const ids = item ? nodes.filter((n) => n.name === item.dataset.name).map((n) => n.id) : [];
  graph.mark("is-linked", [...new Set(ids.map((id) => graph.drawnId(id)).filter(Boolean))]);
});
