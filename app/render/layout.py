"""Graphviz layout, in-process, through pygraphviz.

Why in-process (bench/render.py measures it; BENCHMARKS.md "## Render"):
`graphviz.Source(dot).pipe()` spawns the `dot` binary per request, 11-16 ms
for a 7-node graph, most of it loading Graphviz's pango/cairo plugins.
pygraphviz 2.0.4 links libgvc (its wheel carries Graphviz 14 with the dot
layout, SVG and cairo PNG plugins), so the same graph lays out and renders
in about 1 ms. A long-lived `dot -Tsvg` child answers in about 0.7 ms, but
serves one graph at a time and exits on a DOT syntax error, so it needs a
supervisor of its own; the in-process call needs none.

`AGraph.draw()` makes and frees a Graphviz context per call; with HTML-like
labels that costs ~0.7 ms of font set-up each time. This module does what
`draw(format=..., prog="dot")` does (parse, gvLayout, gvRenderData,
gvFreeLayout) with one context kept for the process, under a lock because
Graphviz keeps per-job state in the context.

The price of in-process: the layout holds the GIL and has no time-out of its
own. It runs in the worker process (app.workers), which the server kills on
wall time: that kill is the layout time-out. The node cap (Limits.graph_nodes,
checked before layout) keeps ordinary big graphs from reaching it.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Literal

import pygraphviz
from pygraphviz import graphviz as gv

LayoutFormat = Literal["svg", "png"]

_lock = threading.Lock()
_context: Any = None


class LayoutError(RuntimeError):
    """Graphviz refused our DOT (a bug of ours: user text never reaches DOT syntax)."""


def _after_fork_in_child() -> None:
    # A fork taken while another thread held the lock must not inherit it
    # held, nor a context in the middle of a job.
    global _lock, _context
    _lock = threading.Lock()
    _context = None


os.register_at_fork(after_in_child=_after_fork_in_child)


def _gvc() -> Any:
    global _context
    if _context is None:
        _context = gv.gvContextWithBuiltins()
    return _context


def layout(dot: str, fmt: LayoutFormat) -> bytes:
    """Lay `dot` out with Graphviz's `dot` program and render it as `fmt`."""
    try:
        graph = pygraphviz.AGraph(string=dot)
    except ValueError as error:  # pygraphviz's DotError
        raise LayoutError(f"Graphviz could not read the DOT: {error}") from error
    try:
        with _lock:
            context = _gvc()
            if gv.gvLayout(context, graph.handle, b"dot"):
                raise LayoutError("Graphviz could not lay the graph out")
            try:
                err, data = gv.gvRenderData(context, graph.handle, fmt.encode())
            finally:
                gv.gvFreeLayout(context, graph.handle)
        if err:
            raise LayoutError(f"Graphviz could not render {fmt}")
        result: bytes = data
        return result
    finally:
        graph.close()
