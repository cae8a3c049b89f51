"""Loops collapsed (app/graph/collapse.py), checked against the expanded
graph: the same nodes (each drawn one, or in the box that stands for it),
the same edges, the same numbers, in the model and in the SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from app.evaluate import run_source
from app.graph import Graph, build_graph
from app.graph.collapse import AUTO_ITERATIONS, AUTO_NODES, Collapsed, collapse
from app.job import RenderOptions
from app.render import render

SVG = "{http://www.w3.org/2000/svg}"

PROGRAMS = {
    # The notebook's loop, 30 times: the "x 27 more".
    "notebook-loop": (
        "x = torch.tensor(1.0, requires_grad=True)\nfor i in range(30):\n"
        "    x = x*(x+1)/(x+2)\ny = x\n"
    ),
    # A tensor from outside used in every iteration (drawn again in each box).
    "outer-input": (
        "x = torch.tensor(0.5, requires_grad=True)\ny = x\nfor i in range(20):\n"
        "    y = torch.sin(y) * 1.01 + x\ny\n"
    ),
    # Nested loops: the outer one is collapsed, inner ones inside kept iterations too.
    "nested": (
        "w = torch.tensor(0.3, requires_grad=True)\nh = w\nfor i in range(8):\n"
        "    for j in range(7):\n        h = h * 0.9 + w\ny = h\n"
    ),
    # A while loop, and a value from its middle used after it.
    "while": (
        "x = torch.tensor(2.0, requires_grad=True)\nh = x\nn = 0\nmid = x\nwhile n < 25:\n"
        "    h = torch.tanh(h) + x\n    if n == 12:\n        mid = h\n    n = n + 1\n"
        "y = h + mid\n"
    ),
}


def graph_of(name: str) -> Graph:
    return build_graph(run_source(PROGRAMS[name]))


def check_against_the_expanded(whole: Graph, collapsed: Collapsed) -> None:
    drawn = collapsed.graph
    by_id = {node.id: node for node in whole.nodes}
    runs = {run.id: run for run in collapsed.runs}
    assert not set(runs) & set(by_id)
    # Same nodes: every node is drawn, or stands in exactly one box.
    drawn_ids = [node.id for node in drawn.nodes if node.kind != "more"]
    boxed = [node_id for run in collapsed.runs for node_id in run.nodes]
    assert sorted(drawn_ids + boxed) == sorted(by_id)
    assert len(set(boxed)) == len(boxed)
    assert {node.id for node in drawn.nodes if node.kind == "more"} == set(runs)
    # Same numbers: a drawn node is the expanded one, field by field.
    for node in drawn.nodes:
        if node.kind != "more":
            assert node.to_dict() == by_id[node.id].to_dict()
    # Same edges: each drawn edge is an expanded one, its ends moved to boxes
    # only where they were hidden; every other edge is inside a box.
    whole_edges = {edge.id: edge for edge in whole.edges}
    box_of = {node_id: run.id for run in collapsed.runs for node_id in run.nodes}
    for edge in drawn.edges:
        original = whole_edges[edge.id]
        assert edge.source == box_of.get(original.source, original.source)
        assert edge.target == box_of.get(original.target, original.target)
        assert edge.grad in (original.grad, None)
        if (edge.source, edge.target) == (original.source, original.target):
            assert edge.grad == original.grad and edge.style == original.style
    inside = [edge_id for run in collapsed.runs for edge_id in run.edges]
    assert sorted([e.id for e in drawn.edges] + inside) == sorted(whole_edges)
    assert drawn.backward_order == whole.backward_order


def texts(svg: bytes) -> dict[str, list[str]]:
    root = ET.fromstring(svg)
    return {
        group.get("id", ""): [t.text or "" for t in group.iter(f"{SVG}text")]
        for group in root.iter(f"{SVG}g")
        if group.get("class", "").startswith(("node", "edge"))
    }


@pytest.mark.parametrize("name", PROGRAMS)
def test_the_collapsed_graph_is_the_expanded_one_with_boxes(name: str) -> None:
    whole = graph_of(name)
    collapsed = collapse(whole, "auto")
    assert collapsed.runs, "nothing collapsed"
    check_against_the_expanded(whole, collapsed)
    assert len(collapsed.graph.nodes) < len(whole.nodes) / 2
    # The SVG: every drawn node's text (its numbers) is the expanded SVG's.
    short = texts(render(whole, RenderOptions(), "svg"))
    full = texts(render(whole, RenderOptions(loops="expanded"), "svg"))
    for node in collapsed.graph.nodes:
        if node.kind != "more":
            assert short[node.id] == full[node.id], node.id
    for run in collapsed.runs:
        assert short[run.id][0] == f"{run.count} more iterations"
        assert f"iterations {run.first} to {run.last}" in short[run.id][1]


def test_the_notebook_loop_keeps_two_iterations_a_box_of_27_and_the_last() -> None:
    collapsed = collapse(graph_of("notebook-loop"), "auto")
    [run] = collapsed.runs
    assert (run.line, run.target, run.first, run.last, run.count) == (2, "i", 2, 28, 27)
    kept = {node.loops[0].iteration for node in collapsed.graph.nodes if node.loops}
    assert kept == {0, 1, 29}


def test_nested_loops_collapse_inside_the_kept_iterations_too() -> None:
    collapsed = collapse(graph_of("nested"), "auto")
    outer = [run for run in collapsed.runs if not run.loops]
    inner = [run for run in collapsed.runs if run.loops]
    assert len(outer) == 1 and (outer[0].first, outer[0].last) == (2, 6)
    assert sorted(run.loops[0].iteration for run in inner) == [0, 1, 7]
    assert all((run.first, run.last, run.count) == (2, 5, 4) for run in inner)


def test_auto_collapses_by_size_and_the_option_decides() -> None:
    small = build_graph(
        run_source(PROGRAMS["notebook-loop"].replace(f"range({30})", f"range({AUTO_ITERATIONS})"))
    )
    assert collapse(small, "auto").runs == []  # few iterations: whole
    few_nodes = build_graph(
        run_source(
            "x = torch.tensor(1.0, requires_grad=True)\n"
            + ("for i in range(8):\n    x = x * 2\ny = x\n")
        )
    )
    assert len(few_nodes.nodes) <= AUTO_NODES and collapse(few_nodes, "auto").runs == []
    forced = collapse(few_nodes, "collapsed")
    assert [run.count for run in forced.runs] == [5]
    check_against_the_expanded(few_nodes, forced)
    assert collapse(graph_of("notebook-loop"), "expanded").runs == []
    assert collapse(graph_of("notebook-loop"), "expanded").graph is not None


def test_a_graph_without_loops_is_left_alone() -> None:
    graph = build_graph(run_source("3*sin(x) + x + 3", {"x": 5}))
    assert collapse(graph, "collapsed").graph is graph
