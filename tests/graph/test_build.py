"""build_graph on real torch programs: structure, names, values, gradients, order."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
import torch

from app.errors import LimitExceeded
from app.evaluate.result import Evaluation
from app.graph import build_graph, check_size
from app.graph.model import Graph, Node
from app.limits import Limits
from tests.graph import programs
from tests.graph.evaluations import evaluation_of

NODE_KEYS = [
    "id",
    "kind",
    "label",
    "name",
    "shape",
    "dtype",
    "value",
    "grad",
    "span",
    "loops",
    "modules",
    "step",
    "kept",
]


def by_label(graph: Graph, label: str) -> list[Node]:
    return [n for n in graph.nodes if n.label == label]


def only(graph: Graph, label: str) -> Node:
    [node] = by_label(graph, label)
    return node


def edge_grad(graph: Graph, source: Node, target: Node) -> Any:
    [edge] = [e for e in graph.edges if e.source == source.id and e.target == target.id]
    return edge.grad


def test_sin_graph_in_make_dots_order() -> None:
    graph = build_graph(evaluation_of(programs.sin))
    assert [(n.id, n.kind, n.label) for n in graph.nodes] == [
        ("n0", "output", "y"),
        ("n1", "op", "AddBackward0"),
        ("n2", "op", "AddBackward0"),
        ("n3", "op", "MulBackward0"),
        ("n4", "op", "SinBackward0"),
        ("n5", "leaf", "x"),
        ("n6", "op", "AccumulateGrad"),
    ]
    assert [(e.id, e.source, e.target) for e in graph.edges] == [
        ("e0", "n2", "n1"),
        ("e1", "n3", "n2"),
        ("e2", "n4", "n3"),
        ("e3", "n6", "n4"),
        ("e4", "n5", "n6"),
        ("e5", "n6", "n2"),
        ("e6", "n1", "n0"),
    ]


def test_json_shape() -> None:
    document = build_graph(evaluation_of(programs.loop)).to_dict()
    assert list(document) == ["nodes", "edges", "backward_order"]
    for node in document["nodes"]:
        assert list(node) == NODE_KEYS
    for edge in document["edges"]:
        assert list(edge) == ["id", "source", "target", "grad", "style"]
    json.dumps(document, allow_nan=False)  # JSON-safe as it is


def test_values_and_gradients_of_tensor_nodes() -> None:
    graph = build_graph(evaluation_of(programs.sin))
    x, y = only(graph, "x"), only(graph, "y")
    assert (x.name, x.shape, x.dtype, x.value) == ("x", (), "float32", 5.0)
    assert x.grad == pytest.approx(3 * math.cos(5.0) + 1, rel=1e-6)
    assert y.value == pytest.approx(3 * math.sin(5.0) + 5 + 3, rel=1e-6)
    assert y.grad == 1.0  # the seed of the backward pass


def test_edge_gradients_are_the_chain_rule() -> None:
    graph = build_graph(evaluation_of(programs.sin))
    [add_out, add_in] = by_label(graph, "AddBackward0")
    mul, sin = only(graph, "MulBackward0"), only(graph, "SinBackward0")
    acc, x = only(graph, "AccumulateGrad"), only(graph, "x")
    assert edge_grad(graph, sin, mul) == 3.0  # d(3*s)/ds
    assert edge_grad(graph, acc, sin) == pytest.approx(3 * math.cos(5.0), rel=1e-6)
    assert edge_grad(graph, acc, add_in) == 1.0
    assert edge_grad(graph, x, acc) == pytest.approx(x.grad, rel=1e-6)  # the sum of both
    assert edge_grad(graph, add_out, only(graph, "y")) == 1.0


def test_backward_order_and_steps() -> None:
    graph = build_graph(evaluation_of(programs.sin))
    order = graph.backward_order
    ids = {n.id: n for n in graph.nodes}
    assert order[0] == "n1"  # the output's grad_fn runs first
    assert ids[order[-1]].label == "AccumulateGrad"
    assert sorted(order) == sorted(n.id for n in graph.nodes if n.kind == "op")
    for step, node_id in enumerate(order):
        assert ids[node_id].step == step
    assert all(n.step is None for n in graph.nodes if n.kind != "op")
    # A node runs after every node that feeds it gradient.
    position = {node_id: k for k, node_id in enumerate(order)}
    for edge in graph.edges:
        if edge.source in position and edge.target in position:
            assert position[edge.target] < position[edge.source]


def test_named_intermediate_on_its_op() -> None:
    graph = build_graph(evaluation_of(programs.retain_grad))
    pow_node = only(graph, "PowBackward0")
    assert (pow_node.name, pow_node.value, pow_node.grad) == ("a", 4.0, 3.0)
    assert pow_node.shape == () and pow_node.dtype == "float32"


def test_unnamed_op_has_its_outputs_gradient_and_shape() -> None:
    graph = build_graph(evaluation_of(programs.sum_squares))
    pow_node = only(graph, "PowBackward0")
    assert pow_node.name is None and pow_node.value is None
    assert pow_node.grad == [1.0, 1.0, 1.0, 1.0, 1.0]
    assert pow_node.shape == (5,)


def test_accumulate_grad_describes_no_tensor() -> None:
    acc = only(build_graph(evaluation_of(programs.sin)), "AccumulateGrad")
    assert (acc.name, acc.value, acc.grad, acc.shape) == (None, None, None, None)


def test_one_tensor_used_twice_gives_two_edges() -> None:
    graph = build_graph(evaluation_of(programs.reuse))
    mul, acc = only(graph, "MulBackward0"), only(graph, "AccumulateGrad")
    edges = [e for e in graph.edges if e.source == acc.id and e.target == mul.id]
    assert [e.grad for e in edges] == [3.0, 3.0]  # d(x*x)/dx, one x at a time


def test_loop_iterations_and_spans() -> None:
    graph = build_graph(evaluation_of(programs.loop))
    muls = by_label(graph, "MulBackward0")
    assert sorted(n.loops[0].iteration for n in muls) == [0, 1, 2]
    assert all(n.loops[0].line == 2 for n in muls)
    assert muls[0].span is not None and muls[0].span.line == 3
    x = only(graph, "x")
    assert x.loops == () and x.span is not None and x.span.line == 1
    # AccumulateGrad sits with its leaf.
    assert only(graph, "AccumulateGrad").span == x.span
    assert x.grad == 195.0
    loops = build_graph(evaluation_of(programs.loop)).to_dict()["nodes"]
    steps = [(s["line"], s["iteration"]) for n in loops for s in n["loops"]]
    assert (2, 1) in steps


def test_show_saved_adds_saved_nodes_and_undirected_edges() -> None:
    plain = build_graph(evaluation_of(programs.exp_result))
    graph = build_graph(evaluation_of(programs.exp_result), show_saved=True)
    saved = [n for n in graph.nodes if n.kind == "saved"]
    assert len(graph.nodes) == len(plain.nodes) + len(saved)
    [result] = saved
    assert result.saved_as == "result" and result.value == pytest.approx([1.6487213, 2.7182817])
    [edge] = [e for e in graph.edges if e.target == result.id]
    assert edge.style == "none" and edge.grad is None
    assert graph.nodes[int(edge.source[1:])].label == "ExpBackward0"


def test_saved_leaf_is_one_node_with_the_leafs_kind() -> None:
    graph = build_graph(evaluation_of(programs.sin), show_saved=True)
    [x] = [n for n in graph.nodes if n.name == "x"]
    assert x.kind == "leaf"
    assert x.saved_as == "self"  # SinBackward0 saved it
    kinds = {e.style for e in graph.edges if x.id in (e.source, e.target)}
    assert kinds == {"solid", "none"}


def test_views_draw_their_base() -> None:
    graph = build_graph(evaluation_of(programs.view_output))
    [base] = [n for n in graph.nodes if n.kind == "base"]
    assert base.name == "a" and base.shape == (6,)
    [dotted] = [e for e in graph.edges if e.style == "dotted"]
    assert (dotted.source, dotted.target) == (base.id, "n0")


def test_view_of_a_leaf_reuses_the_leaf() -> None:
    graph = build_graph(evaluation_of(programs.view_of_leaf))
    assert not [n for n in graph.nodes if n.kind == "base"]
    [dotted] = [e for e in graph.edges if e.style == "dotted"]
    assert graph.nodes[int(dotted.source[1:])].name == "x"


def test_show_attrs_collects_attribute_texts() -> None:
    graph = build_graph(evaluation_of(programs.sin), show_attrs=True)
    mul = only(graph, "MulBackward0")
    assert dict(mul.attrs)["other"] == "[saved tensor]"
    assert build_graph(evaluation_of(programs.sin)).nodes[3].attrs == ()


def test_freed_saved_tensors_do_not_break_the_walk() -> None:
    # The program's own backward() freed the graph: make_dot would raise.
    ev = evaluation_of(programs.sin, retain_graph=False)
    graph = build_graph(ev, show_saved=True, show_attrs=True)
    sin = only(graph, "SinBackward0")
    assert dict(sin.attrs) == {"self": "[freed]"}
    assert not [n for n in graph.nodes if n.kind == "saved"]


def test_outputs_without_a_graph() -> None:
    graph = build_graph(evaluation_of(programs.no_grad_output))
    assert [(n.kind, n.label, n.value) for n in graph.nodes] == [("output", "y", 80.0)]
    assert graph.edges == [] and graph.backward_order == []
    leaf = build_graph(evaluation_of(programs.leaf_output)).nodes
    assert [(n.kind, n.grad) for n in leaf] == [("output", [1.0, 1.0])]
    for value in (None, 3.5, "text", [1, 2]):
        empty = build_graph(Evaluation(output=value, output_name=None))
        assert empty.to_dict() == {"nodes": [], "edges": [], "backward_order": []}


def test_tuple_outputs_are_walked_like_make_dot() -> None:
    x = torch.tensor(2.0, requires_grad=True)
    a, b = x * 3, x.exp()
    graph = build_graph(Evaluation(output=(a, b), output_name=None, tensor_names={id(x): "x"}))
    assert [n.kind for n in graph.nodes].count("output") == 2
    assert len([n for n in graph.nodes if n.kind == "leaf"]) == 1


def test_big_tensors_have_no_value_in_the_model() -> None:
    def program() -> dict[str, Any]:
        x = torch.ones(2000, requires_grad=True)
        y = (x * 2).sum()
        return locals()

    graph = build_graph(evaluation_of(program))
    x = [n for n in graph.nodes if n.name == "x"][0]
    assert x.shape == (2000,) and x.value is None and x.grad is None
    assert only(graph, "y").value == 4000.0


def test_deep_chain_needs_no_recursion() -> None:
    graph = build_graph(evaluation_of(lambda: programs.chain(5000)))
    assert len(graph.nodes) == 5003
    assert len(graph.backward_order) == 5001


def test_check_size() -> None:
    graph = build_graph(evaluation_of(programs.sin))
    check_size(graph, Limits(graph_nodes=7))
    with pytest.raises(LimitExceeded) as caught:
        check_size(graph, Limits(graph_nodes=6))
    assert caught.value.limit == "graph_nodes" and caught.value.value == 6
    assert "7 nodes" in caught.value.detail


def test_same_program_same_model() -> None:
    first = build_graph(evaluation_of(programs.mlp), show_saved=True, show_attrs=True)
    second = build_graph(evaluation_of(programs.mlp), show_saved=True, show_attrs=True)
    assert json.dumps(first.to_dict()) == json.dumps(second.to_dict())
    assert first.statements == second.statements
