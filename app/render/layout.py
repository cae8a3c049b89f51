"""Graphviz layout, in-process, through pygraphviz.

Why in-process (bench/render.py measures it; BENCHMARKS.md "## Render"):
`graphviz.Source(dot).pipe()` spawns the `dot` binary per request, 12-16 ms
for a 7-node graph, most of it starting the process and loading Graphviz's
pango/cairo plugins. pygraphviz 2.0.4 links libgvc (its wheel carries
Graphviz 14.1.5 with the dot layout, SVG and cairo PNG plugins), so the same
graph lays out and renders in about 0.8 ms (make_dot's DOT) to 1.6 ms (our
default style's HTML labels). A long-lived `dot -Tsvg` child answers in
about 0.7 ms too, but serves one graph at a time and exits on a DOT syntax
error, so it needs a supervisor of its own; the in-process call needs none.
Past about 50 nodes layout dominates and in-process stops winning (Graphviz
14's dot is slower than Debian's 2.43 on our graphs): see BENCHMARKS.md.

This module does what `AGraph(string=dot).draw(format=..., prog="dot")`
does (read, gvLayout, gvRenderData, gvFreeLayout) through the same
pygraphviz SWIG functions, minus two costs measured on the 7-node graph:
`draw()` makes and frees a Graphviz context per call (~0.1 ms, ~0.7 ms with
HTML labels and their fonts), so one context is kept per process; and
`AGraph(string=...)` writes the DOT to a new temporary file to read it back
(~0.1 ms), so the DOT goes through one in-memory file (memfd) instead. Both
are used under a lock: Graphviz keeps per-job state in the context.

The price of in-process: the layout holds the GIL and has no time-out of its
own. Small graphs (the common case, a few milliseconds) lay out in the
calling process, which runs in a worker the server kills on wall time. A
graph of `FORK_NODES` nodes or more, whose layout may take seconds (a
2,000-node loop graph takes about 4 s), lays out in a forked child instead,
killed at `timeout`: the render time-out ends the layout, not the worker,
so the caller can still answer the values and gradients. The fork costs
about 7 ms, noise beside such a layout; it also keeps a Graphviz crash on a
big graph from taking the worker with it.

Graphviz 14.1.5 reads uninitialised memory when it frees a plain label whose
first line is empty, and sometimes crashes (found by valgrind);
style_torchviz works around it for the DOT it hands to this module.
"""

from __future__ import annotations

import atexit
import os
import select
import signal
import tempfile
import threading
import time
from typing import IO, Any, Literal

from pygraphviz import graphviz as gv

LayoutFormat = Literal["svg", "png"]

# From this many nodes on, layout runs in a forked child with a time-out.
FORK_NODES = 150


class LayoutError(RuntimeError):
    """Graphviz refused our DOT (a bug of ours: user text never reaches DOT syntax)."""


class LayoutTimeout(RuntimeError):
    """The layout ran past its time-out and was stopped."""


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.context: Any = None
        self.file: IO[bytes] | None = None

    def gvc(self) -> Any:
        if self.context is None:
            self.context = gv.gvContextWithBuiltins()
        return self.context

    def dot_file(self, dot: bytes) -> IO[bytes]:
        """The DOT in a file Graphviz can read (agread takes a FILE*)."""
        if self.file is None:
            if hasattr(os, "memfd_create"):
                self.file = os.fdopen(os.memfd_create("autograd-viz-dot"), "w+b")
            else:
                self.file = tempfile.TemporaryFile()
        self.file.seek(0)
        self.file.truncate()
        self.file.write(dot)
        self.file.flush()
        self.file.seek(0)
        return self.file

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


_state = _State()
atexit.register(lambda: _state.close())


def _after_fork_in_child() -> None:
    # A child must not share the parent's file offset, nor inherit the lock
    # held or the context mid-job if another thread was laying out.
    global _state
    inherited, _state = _state, _State()
    inherited.close()  # the child's copy of the descriptor only


os.register_at_fork(after_in_child=_after_fork_in_child)


def layout(dot: str, fmt: LayoutFormat, *, nodes: int = 0, timeout: float | None = None) -> bytes:
    """Lay `dot` out with Graphviz's `dot` program and render it as `fmt`.

    With a `timeout` and at least FORK_NODES `nodes`, the work runs in a
    forked child that is killed at the time-out (LayoutTimeout).
    """
    if timeout is not None and nodes >= FORK_NODES:
        return _layout_in_child(dot, fmt, timeout)
    return _layout_here(dot, fmt)


def _layout_in_child(dot: str, fmt: LayoutFormat, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: lay out, write the bytes (or an error), leave at once
        status = 0
        try:
            os.close(read_end)
            try:
                payload = b"ok:" + _layout_here(dot, fmt)
            except LayoutError as error:
                payload = b"error:" + str(error).encode()
            view = memoryview(payload)
            while view:
                view = view[os.write(write_end, view) :]
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    chunks: list[bytes] = []
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([read_end], [], [], remaining)[0]:
                os.kill(pid, signal.SIGKILL)
                raise LayoutTimeout(f"the layout took longer than {timeout:g} s")
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    payload = b"".join(chunks)
    if payload.startswith(b"ok:"):
        return payload[3:]
    if payload.startswith(b"error:"):
        raise LayoutError(payload[6:].decode(errors="replace"))
    raise LayoutError("the layout process ended without an answer (Graphviz crashed)")


def _layout_here(dot: str, fmt: LayoutFormat) -> bytes:
    state = _state
    with state.lock:
        try:
            handle = gv.agread(state.dot_file(dot.encode()), None)
        except ValueError as error:  # "agread: bad input data"
            raise LayoutError(f"Graphviz could not read the DOT: {error}") from error
        try:
            context = state.gvc()
            if gv.gvLayout(context, handle, b"dot"):
                raise LayoutError("Graphviz could not lay the graph out")
            try:
                err, data = gv.gvRenderData(context, handle, fmt.encode())
            finally:
                gv.gvFreeLayout(context, handle)
        finally:
            gv.agclose(handle)
    if err:
        raise LayoutError(f"Graphviz could not render {fmt}")
    result: bytes = data
    return result
