"""Graphviz's C API through ctypes, on the Graphviz that pygraphviz's wheel carries.

pygraphviz 2.0.4's wheel carries Graphviz 14.1.5 (libgvc with the dot
layout, SVG and cairo PNG plugins). The calls are Graphviz's own
(agmemread, gvLayout, gvRenderData, gvFreeLayout, agclose) on the libraries
pygraphviz loaded (found in /proc/self/maps): what `AGraph(string=dot).draw(
format=..., prog="dot")` does, minus its costs: `draw()` makes and frees a
Graphviz context per call (~0.1 ms, ~0.7 ms with HTML labels and their
fonts), and `AGraph(string=...)` goes through a temporary file. Contexts are
kept, one per kind, and used under a lock: Graphviz keeps per-job state in
them.

Why this Graphviz and not the system's: the wheel's is built without
optimisation, and Debian's libgvc 2.43 lays small graphs out about 40 %
faster, but 2.43 numbers subgraphs by the addresses of their names, so the
same DOT with loop boxes comes out with its clusters in another order from
one run to the next (same request, same bytes would not hold), and it is 5x
slower on a 5,000-node loop graph. Two Graphviz builds in one process
corrupt each other's heap (two pango and glib copies): one build only.
No optimised Graphviz 14 reaches this machine (BENCHMARKS.md, "Targets not
met").

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

This module imports nothing of the app outside this package, and no torch: the layout process
(app.graphviz.process) runs it in a small interpreter of its own.
"""

from __future__ import annotations

import ctypes
import os
import threading
from typing import Literal

import pygraphviz  # loads the Graphviz libraries used below

from app.graphviz.fonts import load_fontconfig

LayoutFormat = Literal["svg", "png"]
TextMeasure = Literal["pango", "metrics"]


class LayoutError(RuntimeError):
    """Graphviz refused our DOT (a bug of ours: user text never reaches DOT syntax)."""


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
WHEEL_LIBS = os.path.join(os.path.dirname(os.path.dirname(pygraphviz.__file__)), "pygraphviz.libs")


def loaded(stem: str) -> ctypes.CDLL:
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
    ours = [path for path in found if os.path.dirname(path) == os.path.normpath(WHEEL_LIBS)]
    if ours or found:
        return ctypes.CDLL((ours or found)[0])
    raise RuntimeError(
        f"{stem} is not loaded: app.render.layout needs pygraphviz's wheel (Graphviz built in)"
    )


class Graphviz:
    """libgvc and libcgraph through ctypes, and one context per TextMeasure."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        load_fontconfig(loaded)  # before pango would, without its warnings (fonts.py)
        gvc, cgraph = loaded("libgvc"), loaded("libcgraph")
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
                library = loaded(f"libgvplugin_{name}")
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


_graphviz: Graphviz | None = None


def library() -> Graphviz:
    global _graphviz
    if _graphviz is None:
        _graphviz = Graphviz()
    return _graphviz


def _after_fork_in_child() -> None:
    # A child must not inherit the lock held mid-job if another thread was
    # laying out; the contexts themselves are plain memory, copied intact.
    if _graphviz is not None:
        _graphviz.lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
