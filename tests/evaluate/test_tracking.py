"""What the graph stage gets beyond autograd: names, spans, loop iterations,
intermediate gradients and the backward trace."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest
import torch

from app.evaluate import run_source, tracking
from app.evaluate.backward import KEEP_TRACES, reachable
from app.evaluate.encode import encode_tensor
from app.evaluate.result import LoopStep, Span
from app.graph import build_graph
from tests.conftest import lessons


def lesson_source(lesson_id: str) -> str:
    source: str = next(item for item in lessons() if item["id"] == lesson_id)["source"]
    return source


def origins_by_label(evaluation: object, output: torch.Tensor) -> dict[str, list[object]]:
    found: dict[str, list[object]] = {}
    for node in reachable(output.grad_fn):
        origin = evaluation.node_origins.get(node)  # type: ignore[attr-defined]
        found.setdefault(type(node).__name__, []).append(origin)
    return found


def test_expression_spans() -> None:
    evaluation = run_source("3*sin(x) + x + 3", {"x": 5})
    spans = {
        type(node).__name__ + str(origin.span.end_column): origin.span
        for node, origin in evaluation.node_origins.items()
    }
    assert spans["SinBackward09"] == Span(1, 3, 1, 9)
    assert spans["MulBackward09"] == Span(1, 1, 1, 9)
    assert spans["AddBackward013"] == Span(1, 1, 1, 13)
    assert spans["AddBackward017"] == Span(1, 1, 1, 17)
    x = evaluation.named_tensors["x"]
    assert evaluation.tensor_origins[id(x)].span == Span(1, 7, 1, 8)  # its first use


def test_spans_count_characters() -> None:
    source = "é = torch.tensor(1.0, requires_grad=True)\nπ = é * sin(é)\n"
    evaluation = run_source(source)
    by_label = origins_by_label(evaluation, evaluation.output)
    (sin,) = by_label["SinBackward0"]
    assert sin.span == Span(2, 9, 2, 15)  # type: ignore[attr-defined]
    leaf = evaluation.named_tensors["é"]
    assert evaluation.tensor_origins[id(leaf)].span == Span(1, 5, 1, 42)
    assert evaluation.tensor_names[id(evaluation.output)] == "π"


def test_loop_names_and_iterations() -> None:
    evaluation = run_source(lesson_source("loop"), output="y")
    leaf = evaluation.named_tensors["x"]
    assert leaf.is_leaf
    assert evaluation.named_tensors["y"] is evaluation.output
    # Each product was first bound to x, so each is named x.
    assert evaluation.tensor_names[id(evaluation.output)] == "x"
    by_label = origins_by_label(evaluation, evaluation.output)
    loops = sorted(
        (origin.loops for origin in by_label["MulBackward0"]),  # type: ignore[attr-defined]
        key=str,
    )
    assert loops == [(LoopStep(2, 0, "i"),), (LoopStep(2, 1, "i"),), (LoopStep(2, 2, "i"),)]
    for origin in by_label["AddBackward0"]:
        assert origin.span == Span(3, 12, 3, 15)  # type: ignore[attr-defined]


def test_nested_loops_stack_outermost_first() -> None:
    source = (
        "x = torch.tensor(1.0, requires_grad=True)\ny = x\n"
        "for i in range(2):\n    for j in range(2):\n        y = y * 2\n"
    )
    evaluation = run_source(source)
    stacks = sorted(
        (
            origin.loops  # type: ignore[attr-defined]
            for origin in origins_by_label(evaluation, evaluation.output)["MulBackward0"]
        ),
        key=str,
    )
    assert stacks[0] == (LoopStep(3, 0, "i"), LoopStep(4, 0, "j"))
    assert stacks[-1] == (LoopStep(3, 1, "i"), LoopStep(4, 1, "j"))


def test_every_node_of_a_composite_operation_has_an_origin() -> None:
    for source in (
        "x = torch.randn(4, 3, requires_grad=True)\ny = F.normalize(x, dim=1).var()",
        "x = torch.randn(4, 3, requires_grad=True)\n"
        "y = F.cross_entropy(x, torch.tensor([0, 1, 2, 1]))",
        "x = torch.randn(3, requires_grad=True)\ny = torch.linalg.norm(F.softmax(x, dim=0) @ x.T)",
        lesson_source("gradient-descent-stuck") + "y = objective(theta)\n",
    ):
        evaluation = run_source(source, output="y")
        for node in reachable(evaluation.output.grad_fn):
            if type(node).__name__ != "AccumulateGrad":
                assert node in evaluation.node_origins, (source, node)


def test_functions_stamp_the_line_inside_the_function() -> None:
    source = "def f(v):\n    return v.exp()\nx = torch.tensor(1.0, requires_grad=True)\ny = f(x)"
    evaluation = run_source(source)
    (exp,) = origins_by_label(evaluation, evaluation.output)["ExpBackward0"]
    assert exp.span == Span(2, 12, 2, 19)  # type: ignore[attr-defined]
    assert evaluation.named_tensors["v"] is evaluation.named_tensors["x"]
    assert evaluation.tensor_names[id(evaluation.named_tensors["x"])] == "x"


def test_intermediate_gradients_without_retain_grad() -> None:
    source = "x = torch.tensor(2.0, requires_grad=True)\na = x ** 2\ny = 3 * a + x\nprint(a.grad)"
    evaluation = run_source(source)
    a = evaluation.named_tensors["a"]
    assert evaluation.gradients == {"x": torch.tensor(13.0), "a": torch.tensor(3.0)}
    assert evaluation.intermediate_grads[id(a)].item() == 3.0
    # The program's own view is torch's: a non-leaf without retain_grad() has no .grad.
    assert not a.retains_grad
    assert evaluation.stdout == "None\n"
    assert any(".grad attribute of a Tensor that is not a leaf" in w for w in evaluation.warnings)


def test_intermediate_gradients_accumulate_like_grad() -> None:
    source = (
        "x = torch.tensor(1.0, requires_grad=True)\na = x * 2\n"
        "for i in range(3):\n    (a * 5).backward(retain_graph=True)\n"
        "(g,) = torch.autograd.grad(a * 7, x)\n"
    )
    evaluation = run_source(source, output="a")
    a = evaluation.named_tensors["a"]
    assert evaluation.intermediate_grads[id(a)].item() == 15.0  # autograd.grad adds nothing
    assert evaluation.named_tensors["x"].grad.item() == 30.0


def test_gradients_answer() -> None:
    evaluation = run_source(lesson_source("retain-grad"), output="y")
    assert set(evaluation.gradients) == {"x", "a"}  # the output itself is not listed
    evaluation = run_source(lesson_source("accumulate"), output="y")
    # The first y is named but not in the last y's graph.
    assert set(evaluation.gradients) == {"x"}


def test_a_tensor_is_listed_under_its_first_name_only() -> None:
    # SPEC: a tensor is named by the first name it was bound to; another name
    # for it (an alias, a function's parameter) is not another gradient.
    alias = "x = torch.tensor(2.0, requires_grad=True)\na = x**2\nb = a\ny = 3*b + x\n"
    evaluation = run_source(alias)
    assert evaluation.gradients == {"x": torch.tensor(13.0), "a": torch.tensor(3.0)}
    parameter = (
        "x = torch.tensor(2.0, requires_grad=True)\ndef f(a, b=1):\n    return a*b\ny = f(x)\n"
    )
    assert set(run_source(parameter).gradients) == {"x"}
    # A tensor first bound to a name another tensor already holds keeps its next name.
    rebound = lesson_source("loop") + "z = y*2\n"
    assert set(run_source(rebound).gradients) == {"x", "y"}


IN_PLACE = {
    "method": "v = x.clone()\nv.mul_(2)\nout = (v * v).sum()\n",
    "setitem": "v = x * 1\nv[0] = 5\nout = (v * v).sum()\n",
    "augmented": "v = x * 1\nv += x\nout = (v * v).sum()\n",
    "through a view": "b = x * 1\nw = b[0:1]\nw.mul_(3)\nout = (b * b).sum()\n",
    "made part of the graph": "v = torch.zeros(2)\nv[0] = x[1] * 2\nout = (v * v).sum()\n",
}


# Who runs the backward pass: the service, or the program itself (found by
# fuzzing: a change through a view was followed for the first only).
PASSES = {
    "automatic": "",
    "method": "out.backward()\n",
    "function": "torch.autograd.backward(out)\n",
}


@pytest.mark.parametrize("own_pass", PASSES.values(), ids=PASSES.keys())
@pytest.mark.parametrize("body", IN_PLACE.values(), ids=IN_PLACE.keys())
def test_a_tensor_changed_in_place_has_the_gradient_retain_grad_gives(
    body: str, own_pass: str
) -> None:
    # Found by fuzzing: the gradient was the one of the tensor before the change.
    source = "x = torch.tensor([1.0, 2.0], requires_grad=True)\n" + body
    ours = run_source(source + own_pass, output="out").gradients
    names: dict[str, Any] = {"torch": torch}
    exec(source, names)  # the reference: real torch, this test's own text
    for name in ours:
        if names[name].grad_fn is not None:
            names[name].retain_grad()
    names["out"].backward()
    assert set(ours) == {"x", next(n for n in ("v", "b") if n in names)}
    for name, grad in ours.items():
        assert grad is not None and torch.equal(grad, names[name].grad), name


def test_the_programs_own_passes_follow_an_in_place_change() -> None:
    source = (
        "x = torch.tensor([1.0, 2.0], requires_grad=True)\nv = x.clone()\nv.retain_grad()\n"
        "v.sum().backward()\nv.mul_(2)\nv.sum().backward()\nprint(v.grad)\ny = v.sum()\n"
    )
    evaluation = run_source(source, output="y")
    assert evaluation.stdout == "tensor([2., 2.])\n"  # torch's own: 1 before, 1 after
    grad = evaluation.gradients["v"]
    assert grad is not None and grad.tolist() == [2.0, 2.0]


def test_backward_trace_of_the_automatic_pass() -> None:
    evaluation = run_source("3*sin(x) + x + 3", {"x": 5})
    trace = evaluation.backward
    assert trace is not None and trace.root is evaluation.output.grad_fn
    labels = [type(node).__name__ for node in trace.order]
    assert labels[0] == "AddBackward0" and labels[-1] == "AccumulateGrad"
    assert sorted(labels) == sorted(
        ["AddBackward0", "AddBackward0", "MulBackward0", "SinBackward0", "AccumulateGrad"]
    )
    assert trace.seed is not None and trace.seed.item() == 1.0
    (accumulate,) = [n for n in trace.order if type(n).__name__ == "AccumulateGrad"]
    assert trace.grad_outputs[accumulate][0].item() == evaluation.gradients["x"].item()
    (mul,) = [n for n in trace.order if type(n).__name__ == "MulBackward0"]
    (towards_sin,) = [
        i for i, (fn, _) in enumerate(mul.next_functions) if type(fn).__name__ == "SinBackward0"
    ]
    assert abs(trace.grad_inputs[mul][towards_sin].item() - 3.0) < 1e-6


def test_backward_trace_of_the_programs_own_pass() -> None:
    evaluation = run_source(lesson_source("accumulate"), output="y")
    assert evaluation.backward is not None
    assert evaluation.backward.root is evaluation.output.grad_fn


def test_backward_trace_through_a_summed_output() -> None:
    evaluation = run_source("x * 2", {"x": [1, 2]})
    trace = evaluation.backward
    assert trace is not None
    assert type(trace.root).__name__ == "SumBackward0"
    assert evaluation.output.grad_fn in trace.grad_outputs


def test_traces_are_bounded() -> None:
    source = (
        "x = torch.tensor(1.0, requires_grad=True)\n"
        "for i in range(40):\n    y = x * i\n    y.backward()\n"
    )
    evaluation = run_source(source, output="y")
    traces = [item for item in evaluation.keep if isinstance(item, list)]
    assert len(traces[-1]) == KEEP_TRACES
    assert evaluation.backward is not None and evaluation.backward.root is evaluation.output.grad_fn


def test_leaf_output_gets_its_gradient() -> None:
    evaluation = run_source("x", {"x": 3})
    assert evaluation.gradients["x"].item() == 1.0
    assert evaluation.backward is None


def test_everything_keyed_by_id_is_kept_alive() -> None:
    evaluation = run_source("for i in range(5):\n    t = torch.ones(2) * i\n")
    kept = {id(item) for item in evaluation.keep}
    assert set(evaluation.tensor_origins) <= kept
    assert set(evaluation.tensor_names) <= kept


def test_op_outputs_give_unnamed_ops_their_values() -> None:
    evaluation = run_source("3*sin(x) + x + 3", {"x": 5})
    graph = build_graph(evaluation)
    values = {node.label: node.value for node in graph.nodes if node.kind == "op"}
    x = torch.tensor(5.0)
    assert values["SinBackward0"] == encode_tensor(torch.sin(x))["value"]
    assert values["MulBackward0"] == encode_tensor(3 * torch.sin(x))["value"]
    assert values["AccumulateGrad"] is None  # the leaf's node: the leaf has the value


def test_op_value_is_dropped_after_an_in_place_change() -> None:
    evaluation = run_source("y = x * 2\ny += 1\ny", {"x": 5})
    graph = build_graph(evaluation)
    mul = next(node for node in graph.nodes if node.label == "MulBackward0")
    add = next(node for node in graph.nodes if node.label == "AddBackward0")
    assert mul.value is None and mul.grad == 1.0  # y was 10 only until `y += 1`
    assert add.value == 11.0


def test_op_values_are_kept_within_a_budget() -> None:
    source = "y = x\nfor i in range(300):\n    y = y * 1.001\ny.sum()"
    evaluation = run_source(source, {"x": [1.0] * 1000})
    kept = sum(t.numel() for t, _ in evaluation.op_outputs.values())
    assert 0 < kept <= tracking.OP_VALUE_ELEMENTS
    big = run_source("(x * 2).sum()", {"x": [1.0] * 1001})
    assert all(t.numel() <= 1000 for t, _ in big.op_outputs.values())


def test_an_evaluation_is_freed_once_dropped() -> None:
    """Hooks live in autograd's C++ nodes, out of the collector's sight: none
    may refer back to what keeps its tensor alive, or nothing is ever freed."""
    source = "a = x * 2\nb = a.sin()\ny = (b * a).sum()\nfor i in range(3):\n    y = y * x\ny"
    evaluation = run_source(source, {"x": [1.0, 2.0]})
    build_graph(evaluation)
    named = weakref.ref(evaluation.named_tensors["a"])
    made = weakref.ref(next(t for t, _ in evaluation.op_outputs.values()))
    del evaluation
    gc.collect()
    assert named() is None and made() is None


def test_an_unused_piece_of_a_split_tensor_gets_no_gradient() -> None:
    # Found by fuzzing: autograd hands the hook of an unused piece None, and
    # the hook failed on it, so no gradient at all was reported.
    loop = "x = torch.tensor([1.0, 2.0], requires_grad=True)\nfor a in x:\n    y = a * 2\ny"
    evaluation = run_source(loop)
    assert not evaluation.warnings
    grad = evaluation.gradients["x"]
    assert grad is not None and grad.tolist() == [0.0, 2.0]
    own = (
        "x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\na, b, c = x.unbind()\n"
        "(c * 2).backward()\nprint(x.grad)\nc"
    )
    assert run_source(own).stdout == "tensor([0., 0., 2.])\n"
