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
from app.render.layout import FORK_NODES, LayoutTimeout, layout
from tests.workers.procs import descendants

LONG_LOOP = (
    "x = torch.tensor(1.0, requires_grad=True)\nfor i in range(400):\n    x = x*(x+1)/(x+2)\n"
)


def test_a_big_layout_is_stopped_at_the_time_out_and_leaves_no_process() -> None:
    graph = build_graph(run_source(LONG_LOOP + "y = x", output="y"))
    assert len(graph.nodes) > FORK_NODES
    before = descendants()
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as caught:
        render(graph, RenderOptions(), "svg", Limits(render_time_s=0.2))
    elapsed = time.monotonic() - started
    assert caught.value.limit == "render_time" and caught.value.value == 0.2
    assert "nodes took longer than 0.2 s" in caught.value.detail
    assert elapsed < 1.0, elapsed
    assert descendants() == before  # the layout child was killed and reaped


def test_the_budget_shortens_the_time_out() -> None:
    graph = build_graph(run_source(LONG_LOOP + "y = x", output="y"))
    with pytest.raises(LimitExceeded, match="longer than 0.1 s"):
        render(graph, RenderOptions(), "png", Limits(render_time_s=5), budget=0.1)


def test_a_forked_layout_gives_the_same_bytes_as_an_in_process_one() -> None:
    dot = "digraph { a -> b; b -> c; a -> c }"
    here = layout(dot, "svg")
    forked = layout(dot, "svg", nodes=FORK_NODES, timeout=10)
    assert forked == here and forked.startswith(b"<?xml")


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
# reliability fuzzing); the forked layout survives it and retries with newrank.
GRAPHVIZ_ABORT = (
    "xs = []\nfor i in range(4):\n    xs.append(torch.tensor(float(i), requires_grad=True))\n"
    "y = xs[0]\nfor i in range(45):\n    y = y + xs[i % 4] * xs[(i * 3 + 1) % 4]\ny"
)


def test_a_graph_that_aborts_graphviz_is_drawn_by_the_retry() -> None:
    graph = build_graph(run_source(GRAPHVIZ_ABORT))
    assert len(graph.nodes) >= FORK_NODES
    before = descendants()
    body = render(graph, RenderOptions(), "svg", Limits(render_time_s=20))
    assert body.startswith(b"<svg") and b'id="n0"' in body
    assert descendants() == before
