"""The render stage: the graph model as DOT, SVG, PNG or JSON.

    to_dot(graph, options) -> str                   # style_default or style_torchviz
    drawn(graph, options) -> Graph                  # long loops collapsed (app.graph.collapse)
    render(graph, options, fmt, limits) -> bytes    # svg | png | dot | json
    svg_inline(graph, options, limits, id_prefix="") -> str

SVG and PNG go through Graphviz's layout, in-process with pygraphviz
(layout.py): spawning `dot` per request costs 12-16 ms before any layout,
the in-process call renders a 7-node graph in 1-2 ms (bench/render.py,
BENCHMARKS.md "## Render"); it holds the GIL and cannot time itself out, so
it runs in a worker process the server kills on wall time. The SVG is then
given our ids and checked against an allowlist (svg.py), ready to inline in
a page. `json` is Graph.to_dict(); `dot` is the DOT text. Only svg and png
lay the graph out, so only they check the node cap (Limits.graph_nodes): the
caller may catch LimitExceeded and answer the numbers without a drawing.

Saved tensors and attribute tables exist only if the graph was built with
them (build_graph's show_saved / show_attrs): pass the options' flags there.
Same graph and options, same bytes, in any process.
"""

from __future__ import annotations

import json
from typing import Any

from app.errors import LimitExceeded, RenderFailed
from app.graph import Graph, check_size
from app.graph.collapse import Run, collapse
from app.job import Format, RenderOptions
from app.limits import DEFAULT_LIMITS, Limits
from app.render import style_default, style_torchviz
from app.render.layout import LayoutCrashed, LayoutFormat, LayoutTimeout, TextMeasure, layout
from app.render.module_boxes import module_box_notes
from app.render.svg import sanitise

__all__ = [
    "collapsed_runs",
    "drawing_notes",
    "drawn",
    "model_document",
    "render",
    "svg_inline",
    "to_dot",
]


def drawn(graph: Graph, options: RenderOptions) -> Graph:
    """The graph as the options draw it: the default style collapses long
    loops (app.graph.collapse, options.loops); make_dot's look draws all."""
    if options.style != "default":
        return graph
    return collapse(graph, options.loops).graph


def collapsed_runs(graph: Graph, options: RenderOptions) -> list[Run]:
    """The boxes a drawing of the graph puts in place of loop iterations."""
    return drawn(graph, options).runs


def model_document(graph: Graph, options: RenderOptions, values: bool = True) -> dict[str, Any]:
    """The JSON model of graph.json and of an answer's `graph`: the whole graph,
    and the loops its drawing collapses (which nodes each box stands for);
    without `values`, no node's or edge's value or gradient (Graph.to_dict)."""
    document = graph.to_dict(values)
    document["collapsed"] = [run.to_dict() for run in collapsed_runs(graph, options)]
    return document


def to_dot(graph: Graph, options: RenderOptions) -> str:
    """The DOT text of the graph in the options' style."""
    if options.style == "torchviz":
        return style_torchviz.to_dot(graph, options)
    return style_default.to_dot(drawn(graph, options), options)


def drawing_notes(graph: Graph, options: RenderOptions) -> list[str]:
    """What a drawing of the graph leaves out, for the answer's warnings."""
    if options.style != "default":
        return []
    shown = drawn(graph, options)
    notes = module_box_notes(shown, options, style_default.draws_loop_boxes(shown, options))
    return _loop_notes(graph, options) + notes


def _loop_notes(graph: Graph, options: RenderOptions) -> list[str]:
    if not options.group_loops:
        return []
    boxes = style_default.loop_boxes(drawn(graph, options))
    if boxes <= style_default.MAX_LOOP_BOXES:
        return []
    return [
        f"The drawing leaves out its {boxes:,} loop boxes (more than "
        f"{style_default.MAX_LOOP_BOXES} take Graphviz too long to lay out); each node's "
        "loop iterations are still in the graph model (graph.nodes[].loops)."
    ]


def _layout_dot(graph: Graph, options: RenderOptions) -> str:
    # The DOT Graphviz lays out: to_dot's, with style_torchviz's crash workaround;
    # `graph` is drawn()'s already.
    if options.style == "torchviz":
        return style_torchviz.to_dot(graph, options, for_layout=True)
    return style_default.to_dot(graph, options)


def _measure(dot: str, fmt: LayoutFormat, options: RenderOptions) -> TextMeasure:
    """How Graphviz measures text: with its own font metrics when they are exact
    enough (SVG in the default style's Helvetica, all ASCII), else with pango.

    The torchviz style stays on pango: make_dot's `monospace` has no metrics
    (Graphviz would fall back to Times, with a warning).
    """
    if fmt == "svg" and options.style == "default" and dot.isascii():
        return "metrics"
    return "pango"


def _laid_out(
    graph: Graph, options: RenderOptions, fmt: LayoutFormat, limits: Limits, budget: float | None
) -> bytes:
    """Graphviz's output, within the node cap and the render time-out.

    `budget` is what is left of the request's wall time, if the caller
    knows it: the layout then stops in time for the numbers to be answered.
    """
    check_size(graph, limits)
    timeout = limits.render_time_s if budget is None else min(limits.render_time_s, budget)
    timeout = max(timeout, 0.05)
    dot = _layout_dot(graph, options)
    try:
        return layout(
            dot,
            fmt,
            nodes=len(graph.nodes),
            edges=len(graph.edges),
            clusters=style_default.CLUSTER in dot,
            timeout=timeout,
            measure=_measure(dot, fmt, options),
        )
    except LayoutTimeout:
        raise LimitExceeded(
            "render_time",
            limits.render_time_s,
            f"drawing the graph of {len(graph.nodes):,} nodes took longer than {timeout:.3g} s "
            f"(the render time limit is {limits.render_time_s:g} s)",
        ) from None
    except LayoutCrashed:
        raise RenderFailed(
            f"Graphviz could not lay this graph of {len(graph.nodes):,} nodes out (it crashed); "
            "try group_loops=false or the other rankdir"
        ) from None


def svg_inline(
    graph: Graph,
    options: RenderOptions,
    limits: Limits = DEFAULT_LIMITS,
    *,
    id_prefix: str = "",
    budget: float | None = None,
) -> str:
    """The SVG as text: no prolog, no comments, no script, our ids (prefixed)."""
    graph = drawn(graph, options)
    return sanitise(_laid_out(graph, options, "svg", limits, budget), graph, id_prefix)


def render(
    graph: Graph,
    options: RenderOptions,
    fmt: Format,
    limits: Limits = DEFAULT_LIMITS,
    *,
    budget: float | None = None,
) -> bytes:
    """The graph in one format, as the bytes of a response body."""
    if fmt == "json":
        document = model_document(graph, options)
        return json.dumps(
            document, ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode()
    if fmt == "dot":
        return to_dot(graph, options).encode()
    if fmt == "svg":
        return svg_inline(graph, options, limits, budget=budget).encode()
    return _laid_out(drawn(graph, options), options, "png", limits, budget)
