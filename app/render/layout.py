"""Graphviz layout, in-process, on the Graphviz that pygraphviz's wheel carries.

Why in-process (bench/render.py measures it; BENCHMARKS.md "## Render"):
`graphviz.Source(dot).pipe()` spawns the `dot` binary per request, 12-16 ms
for a 7-node graph, most of it starting the process and loading Graphviz's
pango/cairo plugins. pygraphviz 2.0.4's wheel carries Graphviz 14.1.5 (libgvc
with the dot layout, SVG and cairo PNG plugins), so the same graph lays out
and renders in under a millisecond (make_dot's DOT) to about 1.3 ms (our
default style's HTML labels). A long-lived `dot -Tsvg` child answers in
about 0.7 ms too, but serves one graph at a time and exits on a DOT syntax
error, so it needs a supervisor of its own; the in-process call needs none.
Past about 50 nodes layout dominates and in-process stops winning: see
BENCHMARKS.md.

Why this Graphviz and not the system's: the wheel's is built without
optimisation, and Debian's libgvc 2.43 lays small graphs out about 40 %
faster, but 2.43 numbers subgraphs by the addresses of their names, so the
same DOT with loop boxes comes out with its clusters in another order from
one run to the next (same request, same bytes would not hold), and it is 5x
slower on a 5,000-node loop graph. Two Graphviz builds in one process
corrupt each other's heap (two pango and glib copies): one build only.

The calls are Graphviz's own C API (agmemread, gvLayout, gvRenderData,
gvFreeLayout, agclose) through ctypes, on the libraries pygraphviz loaded
(found in /proc/self/maps): what `AGraph(string=dot).draw(format=...,
prog="dot")` does, minus its costs: `draw()` makes and frees a Graphviz
context per call (~0.1 ms, ~0.7 ms with HTML labels and their fonts), and
`AGraph(string=...)` goes through a temporary file. Contexts are kept, one
per kind, and used under a lock: Graphviz keeps per-job state in them.

Two contexts, which differ only in how text is measured:
- "pango": every plugin pygraphviz's `gvContextWithBuiltins` registers, in
  its order (core, dot and neato layouts, gd, pango/cairo): text measured
  with pango and the system's fonts, the cairo PNG renderer; same bytes as
  pygraphviz's `draw()`;
- "metrics": core and the dot layout only: text measured with Graphviz's
  built-in per-character metrics of the standard PostScript fonts (Helvetica
  among them, bold too). No pango layout per text run: our default style's
  7-node graph has about 30, and this saves ~0.3 ms of its 1.6 ms. Only for
  SVG, and only for text the tables cover: the caller asks for it when the
  DOT is ASCII in a font with metrics (render/__init__.py); other characters
  (`θ`, `…`) would get a guessed width and a warning on stderr each.

The price of in-process: the layout holds the GIL and has no time-out of its
own, and a Graphviz crash is a crash of its process. Small graphs (the
common case, a few milliseconds) lay out in the calling process, which runs
in a worker the server kills on wall time. A graph of `FORK_NODES` nodes or
more, or with loop boxes (clusters) at all, lays out in a forked child
instead, killed at `timeout`: the render time-out ends the layout, not the
worker, so the caller can still answer the values and gradients, and a
Graphviz abort ends the child only. The fork costs about 7 ms, little
beside such a layout, whose time Graphviz makes hard to predict (a 100-node
loop graph takes 0.2 s or 7 s depending on its edge labels and ranking).

Graphviz 14.1.5 aborts (mincross.c, fixLabelOrder) on some graphs whose
loop boxes are fed from outside: found by fuzzing, first at about 100
nodes, later at 22 (four iterations of a loop, saved tensors shown, drawn
left to right), so every graph with loop boxes is laid out in a child. A
child that dies without answering is tried once more with `newrank=true`
(whole-graph ranking, which handles such clusters but is often far slower,
so it is not the default); if that dies too, LayoutCrashed.

Graphviz 14.1.5 reads uninitialised memory when it frees a plain label whose
first line is empty, and sometimes crashes (found by valgrind);
style_torchviz works around it for the DOT it hands to this module.
"""

from __future__ import annotations

import ctypes
import faulthandler
import os
import select
import signal
import threading
import time
from typing import Literal

import pygraphviz  # loads the Graphviz libraries used below

LayoutFormat = Literal["svg", "png"]
TextMeasure = Literal["pango", "metrics"]

# From this many nodes on, layout runs in a forked child with a time-out.
FORK_NODES = 40


class LayoutError(RuntimeError):
    """Graphviz refused our DOT (a bug of ours: user text never reaches DOT syntax)."""


class LayoutTimeout(RuntimeError):
    """The layout ran past its time-out and was stopped."""


class LayoutCrashed(RuntimeError):
    """Graphviz died laying the graph out, with either ranking."""


_PLUGINS: dict[TextMeasure, tuple[str, ...]] = {
    # gvContextWithBuiltins's list, in its order (pygraphviz's graphviz.i).
    "pango": ("core", "dot_layout", "neato_layout", "gd", "pango"),
    "metrics": ("core", "dot_layout"),
}


class _Symbol(ctypes.Structure):
    """lt_symlist_t: one builtin plugin library, by name and address."""

    _fields_ = [("name", ctypes.c_char_p), ("address", ctypes.c_void_p)]


# Where pygraphviz's wheel keeps the Graphviz it carries (auditwheel's
# "<package>.libs", names with a hash: libgvc-ae99f8ab.so.7.0.9).
_WHEEL_LIBS = os.path.join(os.path.dirname(os.path.dirname(pygraphviz.__file__)), "pygraphviz.libs")


def _loaded(stem: str) -> ctypes.CDLL:
    """The library `stem` (e.g. "libgvc") that pygraphviz's extension loaded:
    the wheel's copy, even if another Graphviz is mapped into the process too
    (two builds must never meet in one graph)."""
    found: list[str] = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.rstrip("\n").split(maxsplit=5)[-1]
            name = os.path.basename(path)
            if name.startswith((stem + "-", stem + ".so")) and path not in found:
                found.append(path)
    ours = [path for path in found if os.path.dirname(path) == os.path.normpath(_WHEEL_LIBS)]
    if ours or found:
        return ctypes.CDLL((ours or found)[0])
    raise RuntimeError(
        f"{stem} is not loaded: app.render.layout needs pygraphviz's wheel (Graphviz built in)"
    )


class _Graphviz:
    """libgvc and libcgraph through ctypes, and one context per TextMeasure."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        gvc, cgraph = _loaded("libgvc"), _loaded("libcgraph")
        pointer, text = ctypes.c_void_p, ctypes.c_char_p
        gvc.gvContextPlugins.restype = pointer
        gvc.gvContextPlugins.argtypes = [pointer, ctypes.c_int]
        gvc.gvLayout.argtypes = [pointer, pointer, text]
        gvc.gvRenderData.argtypes = [
            pointer,
            pointer,
            text,
            ctypes.POINTER(pointer),
            ctypes.POINTER(ctypes.c_size_t),
        ]
        gvc.gvFreeRenderData.argtypes = [pointer]
        gvc.gvFreeLayout.argtypes = [pointer, pointer]
        cgraph.agmemread.restype = pointer
        cgraph.agmemread.argtypes = [text]
        cgraph.agclose.argtypes = [pointer]
        self.gvc, self.cgraph = gvc, cgraph
        self._contexts: dict[TextMeasure, int] = {}
        self._plugin_lists: list[ctypes.Array[_Symbol]] = []  # Graphviz keeps pointers to them

    def context(self, measure: TextMeasure) -> int:
        found = self._contexts.get(measure)
        if found is None:
            names = _PLUGINS[measure]
            symbols = (_Symbol * (len(names) + 1))()
            for slot, name in zip(symbols, names, strict=False):
                symbol = f"gvplugin_{name}_LTX_library"
                library = _loaded(f"libgvplugin_{name}")
                slot.name = symbol.encode()
                slot.address = ctypes.cast(getattr(library, symbol), ctypes.c_void_p).value
            self._plugin_lists.append(symbols)
            found = self.gvc.gvContextPlugins(ctypes.cast(symbols, ctypes.c_void_p), 0)
            if not found:
                raise LayoutError("Graphviz could not make a context")
            self._contexts[measure] = found
        return found

    def render(self, dot: bytes, fmt: LayoutFormat, measure: TextMeasure) -> bytes:
        with self.lock:
            context = self.context(measure)
            graph = self.cgraph.agmemread(dot)
            if not graph:
                raise LayoutError("Graphviz could not read the DOT")
            try:
                if self.gvc.gvLayout(context, graph, b"dot"):
                    raise LayoutError("Graphviz could not lay the graph out")
                data, size = ctypes.c_void_p(), ctypes.c_size_t()
                try:
                    failed = self.gvc.gvRenderData(
                        context, graph, fmt.encode(), ctypes.byref(data), ctypes.byref(size)
                    )
                    result = ctypes.string_at(data, size.value) if data.value else b""
                finally:
                    if data.value:
                        self.gvc.gvFreeRenderData(data)
                    self.gvc.gvFreeLayout(context, graph)
            finally:
                self.cgraph.agclose(graph)
        if failed:
            raise LayoutError(f"Graphviz could not render {fmt}")
        return result


_graphviz: _Graphviz | None = None


def _library() -> _Graphviz:
    global _graphviz
    if _graphviz is None:
        _graphviz = _Graphviz()
    return _graphviz


def _after_fork_in_child() -> None:
    # A child must not inherit the lock held mid-job if another thread was
    # laying out; the contexts themselves are plain memory, copied intact.
    if _graphviz is not None:
        _graphviz.lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


def layout(
    dot: str,
    fmt: LayoutFormat,
    *,
    nodes: int = 0,
    clusters: bool = False,
    timeout: float | None = None,
    measure: TextMeasure = "pango",
) -> bytes:
    """Lay `dot` out with Graphviz's `dot` program and render it as `fmt`.

    With a `timeout`, and at least FORK_NODES `nodes` or `clusters` in the
    DOT, the work runs in a forked child that is killed at the time-out
    (LayoutTimeout). `measure` chooses the context (see the module
    docstring); "metrics" is for SVG.
    """
    if measure == "metrics" and fmt != "svg":
        raise ValueError("text measured by metrics is for SVG only (PNG draws with pango)")
    if timeout is None or (nodes < FORK_NODES and not clusters):
        return _layout_here(dot, fmt, measure)
    deadline = time.monotonic() + timeout
    try:
        return _layout_in_child(dot, fmt, deadline, timeout, measure)
    except LayoutCrashed:
        return _layout_in_child(_with_newrank(dot), fmt, deadline, timeout, measure)


def _with_newrank(dot: str) -> str:
    # Our DOT opens with `digraph NAME {`: no user text comes before the brace.
    head, brace, body = dot.partition("{")
    return f"{head}{brace}\ngraph [newrank=true]{body}"


def _layout_in_child(
    dot: str, fmt: LayoutFormat, deadline: float, timeout: float, measure: TextMeasure
) -> bytes:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: lay out, write the bytes (or an error), leave at once
        status = 0
        try:
            # Graphviz may abort here (see the docstring): the parent handles
            # that, so no Python fault report of the child's stack.
            faulthandler.disable()
            os.close(read_end)
            try:
                payload = b"ok:" + _layout_here(dot, fmt, measure)
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
    raise LayoutCrashed("the layout process ended without an answer (Graphviz crashed)")


def _layout_here(dot: str, fmt: LayoutFormat, measure: TextMeasure = "pango") -> bytes:
    return _library().render(dot.encode(), fmt, measure)
