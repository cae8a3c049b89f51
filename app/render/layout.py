"""Where each Graphviz layout runs: in this process, or in the layout process.

Why in-process (bench/render.py measures it; BENCHMARKS.md "## Render"):
`graphviz.Source(dot).pipe()` spawns the `dot` binary per request, 12-16 ms
for a 7-node graph, most of it starting the process and loading Graphviz's
pango/cairo plugins. Graphviz's C API in-process (app/graphviz/library.py,
on the Graphviz 14.1.5 that pygraphviz's wheel carries) lays the same graph
out and renders it in under a millisecond (make_dot's DOT) to about 1.3 ms
(our default style's HTML labels). A long-lived `dot -Tsvg` child answers in
about 0.7 ms too, but serves one graph at a time and exits on a DOT syntax
error, so it needs a supervisor of its own.
Past about 50 nodes layout dominates and in-process stops winning: see
BENCHMARKS.md.

The price of in-process: the layout holds the GIL and has no time-out of its
own, and a Graphviz crash is a crash of its process. Small graphs (the
common case, a few milliseconds) lay out in the calling process, which runs
in a worker the server kills on wall time. A graph of `PROCESS_NODES` nodes
or more, or of `PROCESS_EDGES` edges or more, or with loop boxes (clusters)
at all, lays out in the layout process instead (app/graphviz/process.py:
one small long-lived process per calling process, killed at `timeout`):
the render time-out ends the layout, not the worker, so the caller can
still answer the values and gradients, and a Graphviz abort ends the
layout process only. Its round trip costs
about 0.2 ms beside such a layout, whose time Graphviz makes hard to
predict (a 100-node loop graph takes 0.2 s or 7 s depending on its edge
labels and ranking). Until 2026-11-27 each such layout ran in a fork of the
caller, about 7 ms a layout for a caller with torch mapped.

Graphviz 14.1.5 aborts (mincross.c, fixLabelOrder) on some graphs whose
loop boxes are fed from outside: found by fuzzing, first at about 100
nodes, later at 22 (four iterations of a loop, saved tensors shown, drawn
left to right), so every graph with loop boxes is laid out in the layout
process. A layout whose process dies without answering is tried once more,
in a new process, with `newrank=true` (whole-graph ranking, which handles
such clusters but is often far slower, so it is not the default); if that
dies too, LayoutCrashed.

Graphviz 14.1.5 reads uninitialised memory when it frees a plain label whose
first line is empty, and sometimes crashes (found by valgrind);
style_torchviz works around it for the DOT it hands to this module.
"""

from __future__ import annotations

import atexit
import os
import time

from app.graphviz.library import LayoutError, LayoutFormat, TextMeasure, library
from app.graphviz.process import LayoutCrashed, LayoutProcess, LayoutTimeout

__all__ = [
    "PROCESS_EDGES",
    "PROCESS_NODES",
    "LayoutCrashed",
    "LayoutError",
    "LayoutFormat",
    "LayoutTimeout",
    "TextMeasure",
    "layout",
    "layout_process",
]

# From this many nodes on, layout runs in the layout process with a time-out.
PROCESS_NODES = 40
# And from this many edges: torch.cat([x] * 3000).sum() is 3 nodes and 3,000
# edges, which took Graphviz 7 s in-process, past the wall time, so the
# answer lost its numbers too; in the layout process it is cut at the time-out.
PROCESS_EDGES = 2 * PROCESS_NODES

_process = LayoutProcess()
os.register_at_fork(after_in_child=_process.forget_after_fork)
atexit.register(_process.stop)


def layout_process() -> LayoutProcess:
    """This process's layout process (started on first use, or by its start())."""
    return _process


def layout(
    dot: str,
    fmt: LayoutFormat,
    *,
    nodes: int = 0,
    edges: int = 0,
    clusters: bool = False,
    timeout: float | None = None,
    measure: TextMeasure = "pango",
) -> bytes:
    """Lay `dot` out with Graphviz's `dot` program and render it as `fmt`.

    With a `timeout`, and at least PROCESS_NODES `nodes`, PROCESS_EDGES
    `edges` or `clusters` in the DOT, the work runs in the layout process, which is killed at the
    time-out (LayoutTimeout). `measure` chooses the context
    (app/graphviz/library.py); "metrics" is for SVG.
    """
    if measure == "metrics" and fmt != "svg":
        raise ValueError("text measured by metrics is for SVG only (PNG draws with pango)")
    if timeout is None or (nodes < PROCESS_NODES and edges < PROCESS_EDGES and not clusters):
        return library().render(dot.encode(), fmt, measure)
    deadline = time.monotonic() + timeout
    try:
        try:
            return _process.layout(dot.encode(), fmt, measure, deadline)
        except LayoutCrashed:
            return _process.layout(_with_newrank(dot).encode(), fmt, measure, deadline)
    except LayoutTimeout:
        raise LayoutTimeout(f"the layout took longer than {timeout:g} s") from None


def _with_newrank(dot: str) -> str:
    # Our DOT opens with `digraph NAME {`: no user text comes before the brace.
    head, brace, body = dot.partition("{")
    return f"{head}{brace}\ngraph [newrank=true]{body}"
