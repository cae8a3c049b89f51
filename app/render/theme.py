"""Colours of the default style, light and dark.

The node colours keep make_dot's vocabulary (blue leaves, green output,
orange saved tensors, olive view bases, grey operations) so a reader who knows
torchviz finds their way; the dark theme has dark fills and light text, with
contrast enough to read on a dark page.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.graph.model import NodeKind
from app.job import Theme


@dataclass(frozen=True, slots=True)
class Palette:
    background: str
    text: str
    muted: str
    border: str
    edge: str
    edge_grad: str  # the gradient written on an edge
    saved_edge: str
    cluster_fill: str
    cluster_border: str
    fills: dict[NodeKind, str]


LIGHT = Palette(
    background="#ffffff",
    text="#1f2328",
    muted="#57606a",
    border="#8c959f",
    edge="#6e7781",
    edge_grad="#bc4c00",
    saved_edge="#d4a373",
    cluster_fill="#f6f8fa",
    cluster_border="#afb8c1",
    fills={
        "op": "#eaeef2",
        "leaf": "#cfe6ff",
        "output": "#d3f5c2",
        "saved": "#ffe0b3",
        "base": "#c5e0a5",
        "more": "#f6f8fa",
    },
)

DARK = Palette(
    background="#0d1117",
    text="#e6edf3",
    muted="#9198a1",
    border="#6e7681",
    edge="#8b949e",
    edge_grad="#ffa657",
    saved_edge="#9e6a03",
    cluster_fill="#161b22",
    cluster_border="#3d444d",
    fills={
        "op": "#262c36",
        "leaf": "#0c2d4f",
        "output": "#1b3a1a",
        "saved": "#4d2d00",
        "base": "#2f4a1c",
        "more": "#161b22",
    },
)


def palette(theme: Theme) -> Palette:
    return DARK if theme == "dark" else LIGHT
