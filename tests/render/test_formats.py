"""render() in each format, and the node cap."""

from __future__ import annotations

import json

import pytest

from app.errors import LimitExceeded
from app.graph import Graph, build_graph
from app.job import RenderOptions
from app.limits import Limits
from app.render import render, svg_inline, to_dot
from app.render.layout import LayoutError, layout
from tests.graph import programs
from tests.graph.evaluations import evaluation_of


def test_formats() -> None:
    graph = build_graph(evaluation_of(programs.loop))
    options = RenderOptions()
    assert render(graph, options, "png").startswith(b"\x89PNG\r\n\x1a\n")
    assert json.loads(render(graph, options, "json")) == {**graph.to_dict(), "collapsed": []}
    assert render(graph, options, "dot").decode() == to_dot(graph, options)
    svg = render(graph, options, "svg")
    assert svg.decode() == svg_inline(graph, options)


def test_the_node_cap_stops_layout_only() -> None:
    graph = build_graph(evaluation_of(programs.loop))  # 9 nodes
    small = Limits(graph_nodes=8)
    for fmt in ("svg", "png"):
        with pytest.raises(LimitExceeded) as caught:
            render(graph, RenderOptions(), fmt, small)  # type: ignore[arg-type]
        assert caught.value.limit == "graph_nodes"
    # No layout, no cap: the caller can still answer the numbers.
    assert render(graph, RenderOptions(), "json", small)
    assert render(graph, RenderOptions(), "dot", small)
    assert render(graph, RenderOptions(), "svg", Limits(graph_nodes=9))


def test_empty_graph_renders() -> None:
    graph = Graph()  # a program whose output is not a tensor
    for style in ("default", "torchviz"):
        options = RenderOptions(style=style)  # type: ignore[arg-type]
        assert render(graph, options, "svg").startswith(b"<svg")


def test_bad_dot_is_our_error_not_a_crash() -> None:
    with pytest.raises(LayoutError):
        layout("digraph { a -> }", "svg")
