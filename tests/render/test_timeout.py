"""The render time-out ends a long layout, not the process that asked for it."""

from __future__ import annotations

import time

import pytest

from app.errors import LimitExceeded
from app.evaluate import run_source
from app.graph import build_graph
from app.job import RenderOptions
from app.limits import Limits
from app.render import render
from app.render.layout import PROCESS_NODES, LayoutTimeout, layout, layout_process
from tests.workers.procs import descendants

LONG_LOOP = (
    "x = torch.tensor(1.0, requires_grad=True)\nfor i in range(400):\n    x = x*(x+1)/(x+2)\n"
)


def test_a_big_layout_is_stopped_at_the_time_out_and_leaves_no_process() -> None:
    graph = build_graph(run_source(LONG_LOOP + "y = x", output="y"))
    assert len(graph.nodes) > PROCESS_NODES
    process = layout_process()
    process.start()
    old = process.pid
    assert old is not None
    before = descendants()
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as caught:
        render(graph, RenderOptions(loops="expanded"), "svg", Limits(render_time_s=0.2))
    elapsed = time.monotonic() - started
    assert caught.value.limit == "render_time" and caught.value.value == 0.2
    assert "nodes took longer than 0.2 s" in caught.value.detail
    assert elapsed < 1.0, elapsed
    assert process.pid is None
    assert descendants() == before - {old}  # the layout process was killed and reaped
    # The next layout that needs one starts a new layout process.
    assert layout("digraph { a -> b }", "svg", nodes=PROCESS_NODES, timeout=10).startswith(b"<?xml")
    assert process.pid not in (None, old)


def test_the_budget_shortens_the_time_out() -> None:
    graph = build_graph(run_source(LONG_LOOP + "y = x", output="y"))
    with pytest.raises(LimitExceeded, match="longer than 0.1 s"):
        render(graph, RenderOptions(loops="expanded"), "png", Limits(render_time_s=5), budget=0.1)


def test_the_layout_process_gives_the_same_bytes_as_this_process() -> None:
    dot = "digraph { a -> b; b -> c; a -> c }"
    here = layout(dot, "svg")
    there = layout(dot, "svg", nodes=PROCESS_NODES, timeout=10)
    assert there == here and there.startswith(b"<?xml")
    looped = "digraph { subgraph cluster_0 { a -> b } b -> c }"
    assert layout(looped, "png", clusters=True, timeout=10) == layout(looped, "png")


def test_small_graphs_stay_in_process_and_fast() -> None:
    graph = build_graph(run_source("3*sin(x) + x + 3", {"x": 5}))
    started = time.monotonic()
    body = render(graph, RenderOptions(), "svg", Limits(render_time_s=0.05))
    assert body.startswith(b"<svg") and time.monotonic() - started < 1.0


def test_timeouts_raise_layout_timeout_directly() -> None:
    dot = "digraph {" + " ".join(f"n{i} -> n{i + 1};" for i in range(3000)) + "}"
    with pytest.raises(LayoutTimeout):
        layout(dot, "svg", nodes=3000, timeout=0.05)


# Graphviz 14.1.5 aborts in mincross on this graph's loop boxes (found by the
# reliability fuzzing); the layout process dies of it, and the retry with
# newrank, in a new layout process, draws it.
GRAPHVIZ_ABORT = (
    "xs = []\nfor i in range(4):\n    xs.append(torch.tensor(float(i), requires_grad=True))\n"
    "y = xs[0]\nfor i in range(45):\n    y = y + xs[i % 4] * xs[(i * 3 + 1) % 4]\ny"
)


def test_a_graph_that_aborts_graphviz_is_drawn_by_the_retry() -> None:
    graph = build_graph(run_source(GRAPHVIZ_ABORT))
    assert len(graph.nodes) >= PROCESS_NODES
    process = layout_process()
    process.start()
    old = process.pid
    before = descendants()
    body = render(graph, RenderOptions(loops="expanded"), "svg", Limits(render_time_s=20))
    assert body.startswith(b"<svg") and b'id="n0"' in body
    assert process.pid not in (None, old)  # the crashed one was replaced
    assert descendants() == before - {old} | {process.pid}


def test_a_few_nodes_with_many_edges_are_laid_out_under_the_time_out() -> None:
    # torch.cat([x] * 3000).sum(): 3 nodes and 3,000 edges, which took Graphviz
    # 7 s in the evaluation process, past its wall time (the answer lost its
    # numbers too); the edges send it to the layout process and its time-out.
    from app.render.layout import PROCESS_EDGES

    evaluation = run_source("x = torch.ones(2, requires_grad=True)\ntorch.cat([x] * 3000).sum()")
    graph = build_graph(evaluation)
    assert len(graph.nodes) < PROCESS_NODES and len(graph.edges) >= PROCESS_EDGES
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as caught:
        render(graph, RenderOptions(), "svg", Limits(render_time_s=0.3))
    assert caught.value.limit == "render_time"
    assert time.monotonic() - started < 2.0
