"""style=torchviz: torchviz.make_dot's DOT, statement for statement.

The graph keeps make_dot's statement sequence (`Graph.statements`); this
module replays it through the same `graphviz.Digraph` calls make_dot makes,
with the same node attributes and the same `resize_graph` size, so labels,
quoting, colours, shapes, duplicate edges and statement order are make_dot's.
Only the node names differ: ours (`n0`, `n1`, ...) instead of `id()`.

The one addition is `rankdir=LR` when asked for (TB, the default, is
Graphviz's own default and adds nothing). Themes and value options do not
apply: this style is make_dot's look.
"""

from __future__ import annotations

import graphviz

from app.graph.model import EdgeStatement, Graph
from app.job import RenderOptions
from app.render.escape import clean

# make_dot's node_attr, in make_dot's order.
NODE_ATTR = {
    "style": "filled",
    "shape": "box",
    "align": "left",
    "fontsize": "10",
    "ranksep": "0.1",
    "height": "0.2",
    "fontname": "monospace",
}


def _label(text: str, for_layout: bool) -> str:
    # make_dot hands labels to graphviz.quote, which escapes quotes and
    # nothing else, and Graphviz then reads `\N` as the node's name and `&lt;`
    # as `<`. Here a backslash is doubled and `&` written `&amp;`, so both
    # print as themselves; make_dot's own labels (names, shapes, class names)
    # hold neither, so its DOT is unchanged. Characters SVG cannot carry are
    # dropped (escape.clean). nohtml: a label is never an HTML-like label.
    text = clean(text).replace("\\", "\\\\").replace("&", "&amp;")
    if for_layout and text.startswith("\n"):
        # Graphviz 14.1.5 (pygraphviz's wheel) reads uninitialised memory when
        # it frees a label whose first line is empty (make_dot's "\n (3)" for
        # an unnamed tensor) and sometimes crashes. A space draws the same.
        text = " " + text
    return graphviz.nohtml(text)  # type: ignore[no-any-return]


def resize_graph(dot: graphviz.Digraph, size_per_element: float = 0.15, min_size: int = 12) -> None:
    """torchviz.dot.resize_graph: the size grows with the number of statements."""
    num_rows = len(dot.body)
    content_size = num_rows * size_per_element
    size = max(min_size, content_size)
    size_str = str(size) + "," + str(size)
    dot.graph_attr.update(size=size_str)


def to_dot(graph: Graph, options: RenderOptions, *, for_layout: bool = False) -> str:
    """make_dot's DOT; `for_layout` works around a Graphviz crash (see _label)."""
    dot = graphviz.Digraph(node_attr=NODE_ATTR, graph_attr={"size": "12,12"})
    for statement in graph.statements:
        if isinstance(statement, EdgeStatement):
            edge = graph.edges[statement.edge]
            if edge.style == "none":
                dot.edge(edge.source, edge.target, dir="none")
            elif edge.style == "dotted":
                dot.edge(edge.source, edge.target, style="dotted")
            else:
                dot.edge(edge.source, edge.target)
        else:
            node_id = graph.nodes[statement.node].id
            if statement.fillcolor is None:
                dot.node(node_id, _label(statement.label, for_layout))
            else:
                dot.node(
                    node_id, _label(statement.label, for_layout), fillcolor=statement.fillcolor
                )
    resize_graph(dot)
    if options.rankdir != "TB":
        dot.graph_attr.update(rankdir=options.rankdir)
    source: str = dot.source
    return source
