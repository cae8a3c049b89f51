"""The default style's box for the hidden iterations of a long loop
(app.graph.collapse): a dashed card, "27 more iterations", which ones, and
how to see them all.

All ASCII: the SVG's text is then measured with Graphviz's own metrics, the
quick way (app.render._measure), as for the rest of the default style.
"""

from __future__ import annotations

from app.graph.collapse import Run
from app.graph.model import Graph, Node
from app.render.escape import html_text
from app.render.theme import Palette


def run_of(graph: Graph, node: Node) -> Run | None:
    return next((run for run in graph.runs if run.id == node.id), None)


def more_label(graph: Graph, node: Node, colours: Palette) -> str:
    """The HTML-like label of a "more" node."""
    run = run_of(graph, node)
    if run is None:  # never: collapse() makes the node and its run together
        return html_text(node.label)
    which = f"for {run.target}" if run.target else f"loop at line {run.line}"
    span = f"{which}: iterations {run.first} to {run.last}"
    rows = [
        f"<TR><TD><B>{run.count} more iterations</B></TD></TR>",
        f'<TR><TD><FONT COLOR="{colours.muted}" POINT-SIZE="9">{html_text(span)}</FONT></TD></TR>',
        f'<TR><TD><FONT COLOR="{colours.muted}" POINT-SIZE="8">'
        "collapsed: loops=expanded draws them</FONT></TD></TR>",
    ]
    return (
        '<TABLE BORDER="1" STYLE="dashed" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4"'
        f' BGCOLOR="{colours.cluster_fill}" COLOR="{colours.cluster_border}">'
        + "".join(rows)
        + "</TABLE>"
    )
