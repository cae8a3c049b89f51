"""Layout contexts: Graphviz's own font metrics for ASCII SVG in the default
style, pango for everything else; both real Graphviz, in-process."""

from __future__ import annotations

import pytest

from app.graph import build_graph
from app.job import RenderOptions
from app.render import render, to_dot
from app.render.layout import layout
from app.render.svg import sanitise
from tests.graph import programs
from tests.graph.evaluations import evaluation_of


def test_the_default_style_measures_ascii_text_with_graphviz_metrics() -> None:
    graph = build_graph(evaluation_of(programs.sin))
    dot = to_dot(graph, RenderOptions())
    assert dot.isascii()
    metrics = sanitise(layout(dot, "svg", measure="metrics"), graph)
    pango = sanitise(layout(dot, "svg", measure="pango"), graph)
    assert metrics != pango  # the widths differ, the text does not
    assert render(graph, RenderOptions(), "svg").decode() == metrics


def test_text_without_metrics_and_other_formats_use_pango(
    capfd: pytest.CaptureFixture[str],
) -> None:
    named = build_graph(evaluation_of(programs.sin))
    for node in named.nodes:
        if node.kind == "leaf":
            node.name = "θ"  # no built-in metrics: pango measures it
    dot = to_dot(named, RenderOptions())
    assert not dot.isascii()
    assert render(named, RenderOptions(), "svg").decode() == sanitise(
        layout(dot, "svg", measure="pango"), named
    )
    torchviz = RenderOptions(style="torchviz")
    plain = build_graph(evaluation_of(programs.sin))
    assert render(plain, torchviz, "svg").startswith(b"<svg")
    # Neither guessed a width: Graphviz warns on stderr when it has to.
    complaints = [line for line in capfd.readouterr().err.splitlines() if "Fontconfig" not in line]
    assert complaints == []
    with pytest.raises(ValueError):
        layout(dot, "png", measure="metrics")


def test_the_wheels_graphviz_is_used_even_beside_another() -> None:
    import ctypes
    import os

    from app.graphviz.library import WHEEL_LIBS, loaded

    system = "/usr/lib/x86_64-linux-gnu/libgvc.so.6"
    if os.path.exists(system):
        ctypes.CDLL(system)  # another Graphviz mapped into the process
    path = loaded("libgvc")._name
    assert os.path.dirname(path) == os.path.normpath(WHEEL_LIBS), path
