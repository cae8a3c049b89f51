"""Gradient descent against the notebook and against torch.optim run directly.

The seed lessons hold what real PyTorch gives for the notebook's In [13]
(app/data/seed-lessons.json): the final theta of 100 steps from -3.5 with
step sizes 0.05, 0.07 and 0.15.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import pytest
import torch

from app.errors import InvalidRequest, LimitExceeded, UserRuntimeError
from app.limits import Limits
from app.optimize import OptimizeRequest
from app.optimize.answer import Descent, optimize_document
from app.optimize.descent import descend
from app.optimize.objective import Objective
from tests.conftest import lessons

EXPRESSION = "theta*cos(4*theta) + 2*abs(theta)"
NOTEBOOK_OBJECTIVE = (
    "def objective(theta):\n    return theta*torch.cos(4*theta) + 2*torch.abs(theta)\n"
)
SEEDS = {
    lesson["id"]: lesson for lesson in lessons() if lesson["id"].startswith("gradient-descent")
}
RATES = {
    "gradient-descent-stuck": 0.05,
    "gradient-descent-escapes": 0.07,
    "gradient-descent-closer": 0.15,
}


def objective(t: torch.Tensor) -> torch.Tensor:
    return t * torch.cos(4 * t) + 2 * torch.abs(t)


def notebook_descent(lr: float, init: float = -3.5, steps: int = 100) -> list[float]:
    """In [13] as the notebook runs it, in plain torch: theta after each update."""
    theta = torch.tensor(init, requires_grad=True)
    thetas = [theta.item()]
    for _ in range(steps):
        if theta.grad is not None:
            theta.grad.zero_()
        out = objective(theta)
        out.backward()  # type: ignore[no-untyped-call]
        with torch.no_grad():
            theta -= lr * theta.grad  # type: ignore[operator]
        thetas.append(theta.item())
    return thetas


def optim_descent(
    make: Callable[[list[torch.Tensor]], torch.optim.Optimizer], steps: int
) -> list[float]:
    theta = torch.tensor(-3.5, requires_grad=True)
    optimizer = make([theta])
    thetas = [theta.item()]
    for _ in range(steps):
        optimizer.zero_grad()
        objective(theta).backward()  # type: ignore[no-untyped-call]
        optimizer.step()
        thetas.append(theta.item())
    return thetas


@pytest.mark.parametrize("lesson_id", sorted(RATES))
@pytest.mark.parametrize("source", ["lesson", EXPRESSION], ids=["program", "expression"])
def test_the_seed_lessons_final_thetas(lesson_id: str, source: str) -> None:
    lesson = SEEDS[lesson_id]
    program = lesson["source"] if source == "lesson" else source
    request = OptimizeRequest(
        source=program, variable="theta", init=-3.5, lr=RATES[lesson_id], steps=100
    )
    (run,) = Descent(request).runs
    assert run.final.parameter == pytest.approx(lesson["expect"]["value"], rel=1e-5)
    assert len(run.points) == 101 and run.stopped is None


def test_three_step_sizes_in_one_request_give_the_three_lessons() -> None:
    request = OptimizeRequest(
        source=NOTEBOOK_OBJECTIVE, init=-3.5, lr=(0.05, 0.07, 0.15), steps=100
    )
    document = json.loads(optimize_document(request))
    assert [run["lr"] for run in document["runs"]] == [0.05, 0.07, 0.15]
    for run, lesson_id in zip(document["runs"], sorted(RATES, key=RATES.__getitem__), strict=True):
        expected = SEEDS[lesson_id]["expect"]["value"]
        assert run["final"]["parameter"] == pytest.approx(expected, rel=1e-5)
        assert run["trajectory"][-1] == run["final"]
    assert document["variable"] == "theta" and document["function"] == "objective"


@pytest.mark.parametrize("lr", [0.05, 0.07, 0.15, 0.1, 0.33])
def test_sgd_is_torch_optim_sgd_step_for_step(lr: float) -> None:
    (run,) = Descent(OptimizeRequest(source=EXPRESSION, init=-3.5, lr=lr, steps=100)).runs
    expected = optim_descent(lambda params: torch.optim.SGD(params, lr=lr), 100)
    assert [p.parameter for p in run.points] == expected


def test_torch_optim_sgd_rounds_apart_from_the_notebooks_update() -> None:
    """What app/optimize/descent.py's docstring says of `sgd` and the notebook."""
    manual = notebook_descent(0.15)
    optim = optim_descent(lambda params: torch.optim.SGD(params, lr=0.15), 100)
    first = next(i for i, (a, b) in enumerate(zip(manual, optim, strict=True)) if a != b)
    assert first == 9
    assert optim[-1] != manual[-1]
    assert optim[-1] == pytest.approx(manual[-1], rel=1e-6)
    assert f"{optim[-1]:.6g}" == f"{manual[-1]:.6g}"


@pytest.mark.parametrize(
    ("method", "make"),
    [
        ("momentum", lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9)),
        ("adam", lambda params: torch.optim.Adam(params, lr=0.02)),
    ],
)
def test_momentum_and_adam_are_torch_optim(
    method: str, make: Callable[[list[torch.Tensor]], torch.optim.Optimizer]
) -> None:
    request = OptimizeRequest(
        source=NOTEBOOK_OBJECTIVE,
        init=-3.5,
        lr=0.02,
        steps=60,
        method=method,  # type: ignore[arg-type]
    )
    (run,) = Descent(request).runs
    assert [p.parameter for p in run.points] == optim_descent(make, 60)


def test_each_point_holds_the_objective_and_gradient_there() -> None:
    (run,) = Descent(OptimizeRequest(source=EXPRESSION, init=-3.5, lr=0.07, steps=5)).runs
    assert run.points[0].parameter == -3.5
    for point in run.points:
        theta = torch.tensor(point.parameter, requires_grad=True)
        out = objective(theta)
        out.backward()  # type: ignore[no-untyped-call]
        assert point.objective == out.item()
        assert point.gradient == theta.grad.item()  # type: ignore[union-attr]


def test_zero_steps_is_the_start_alone() -> None:
    (run,) = Descent(OptimizeRequest(source=EXPRESSION, init=1.0, lr=0.1, steps=0)).runs
    assert len(run.points) == 1 and run.final.parameter == 1.0


def test_divergence_stops_the_run_with_a_warning_and_valid_json() -> None:
    request = OptimizeRequest(source="x**2", init=1.0, lr=(10.0, 0.1), steps=200)
    document = json.loads(optimize_document(request))  # strict: "inf"/"nan" are strings
    diverged, fine = document["runs"]
    assert diverged["stopped"] and "diverged" in diverged["stopped"]
    assert diverged["steps_run"] < 200
    last = diverged["final"]
    assert "inf" in (last["objective"], last["gradient"]) or "nan" in last.values()
    assert fine["stopped"] is None and fine["steps_run"] == 200
    assert any("lr=10" in warning for warning in document["warnings"])


@pytest.mark.parametrize(
    ("fields", "leaves"),
    [
        ({"init": 3.0, "range": (-1.0, 1.0)}, True),  # starts outside the asked range
        ({"init": 0.5, "range": (-1.0, 1.0)}, False),
        ({"init": 1e6, "steps": 2}, False),  # the automatic range holds every step
        ({"init": -3.5}, False),
    ],
)
def test_a_warning_when_and_only_when_steps_lie_outside_the_plot(
    fields: dict[str, Any], leaves: bool
) -> None:
    descent = Descent(OptimizeRequest(source="x**2", lr=0.1, **fields))
    lo, hi = descent.range
    inside = all(lo <= p.parameter <= hi for run in descent.runs for p in run.points)
    noted = any("leaves the plotted range" in w for w in descent.warnings)
    assert noted is leaves is not inside


def test_an_objective_without_gradient_descends_nowhere_with_a_warning() -> None:
    source = "def f(x):\n    return torch.tensor(3.0)\n"
    descent = Descent(OptimizeRequest(source=source, init=2.0, lr=0.1, steps=3))
    (run,) = descent.runs
    assert {p.parameter for p in run.points} == {2.0}
    assert {p.gradient for p in run.points} == {0.0}
    assert any("does not depend on x" in w for w in descent.warnings)


def test_a_non_scalar_objective_is_the_programs_error() -> None:
    source = "def f(x):\n    return torch.stack([x, x])\n"
    with pytest.raises(UserRuntimeError) as caught:
        Descent(OptimizeRequest(source=source, init=1.0, lr=0.1, steps=3))
    assert "single number" in caught.value.detail
    assert caught.value.line == 1


def test_errors_inside_the_objective_point_at_their_line() -> None:
    source = "def f(x):\n    y = x * 2\n    return y @ y\n"
    with pytest.raises(UserRuntimeError) as caught:
        Descent(OptimizeRequest(source=source, init=1.0, lr=0.1, steps=3))
    assert caught.value.line == 3


def test_the_function_is_chosen_by_name_or_by_rule() -> None:
    program = "def g(a):\n    return a**2\n\ndef h(b):\n    return (b - 1)**2\n"
    last = Objective(program, None, None, Limits())
    assert last.name == "h" and last.variable == "b"
    chosen = Objective(program, "w", "g", Limits())
    assert chosen.name == "g" and chosen.variable == "w"
    preferred = Objective(
        "def f(x):\n    return x\n\ndef helper(y):\n    return y\n", None, None, Limits()
    )
    assert preferred.name == "f"
    with pytest.raises(InvalidRequest):
        Objective(program, None, "missing", Limits())
    with pytest.raises(InvalidRequest):
        Objective("y = 3", None, None, Limits())
    with pytest.raises(InvalidRequest):
        Objective("def f():\n    return 1.0\n", None, None, Limits())


def test_an_expression_has_exactly_one_variable() -> None:
    assert Objective("x**2 + 1", None, None, Limits()).variable == "x"
    for source, variable in (("x*y", None), ("x*y", "x"), ("x**2", "theta"), ("2 + 3", None)):
        with pytest.raises(InvalidRequest):
            Objective(source, variable, None, Limits())
    with pytest.raises(InvalidRequest):
        Objective("x**2", "x", "f", Limits())


def test_the_steps_share_the_programs_step_budget() -> None:
    source = (
        "def f(x):\n    s = x * 0\n    for i in range(10):\n        s = s + x**2\n    return s\n"
    )
    objective_ = Objective(source, None, None, Limits(steps=200))
    with pytest.raises(LimitExceeded) as caught:
        descend(objective_, 1.0, 0.01, 100, "sgd")
    assert caught.value.limit == "steps"


def test_the_notebooks_whole_program_runs_once_then_its_objective_is_called() -> None:
    """The lesson program defines gradient_descent too and runs it: `objective` is chosen."""
    objective_ = Objective(SEEDS["gradient-descent-closer"]["source"], None, None, Limits())
    assert objective_.name == "objective"
    value = objective_(torch.tensor(-3.5))
    assert math.isclose(value.item(), objective(torch.tensor(-3.5)).item())


def test_printing_objectives_are_cut_at_the_stdout_limit() -> None:
    source = "def f(x):\n    print('step', x.item())\n    return x**2\n"
    request = OptimizeRequest(source=source, init=1.0, lr=0.1, steps=50)
    document = json.loads(optimize_document(request, Limits(stdout_chars=100)))
    assert document["stdout"].startswith("step 1.0\n") and len(document["stdout"]) <= 100
    assert "stdout was cut at 100 characters" in document["warnings"]


# Found by fuzzing the optimize and plot answers: each was a 500.
def test_an_objective_past_floats_range_is_the_programs_error() -> None:
    request = OptimizeRequest(source="def f(x):\n    return 10**400", steps=0)
    with pytest.raises(UserRuntimeError, match="too large for a float"):
        optimize_document(request)


def test_an_update_that_overflows_ends_the_run_as_diverged() -> None:
    # Adam's first step is about 10 x lr: past float32's largest here.
    request = OptimizeRequest(source="x", lr=3.5e37, method="adam", steps=5)
    (run,) = json.loads(optimize_document(request))["runs"]
    assert run["stopped"] == "the update overflowed after step 0: the run diverged"
    assert run["steps_run"] == 0


def test_a_float64_value_past_float32s_range_is_answered_as_itself() -> None:
    source = "def f(x):\n    if x > 1:\n        return x.double() + 1e39\n    return x"
    request = OptimizeRequest(source=source, init=2.0, lr=2.0, steps=1)
    (run,) = json.loads(optimize_document(request))["runs"]
    assert [p["objective"] for p in run["trajectory"]] == [1e39, 0.0]


@pytest.mark.parametrize(
    "fields",
    [
        {"source": "torch.where(x > 0, x.double()*0 + 1.7e308, x.double()*0 - 1.7e308)"},
        {"source": "x.double()*1e308"},
    ],
)
def test_values_too_large_to_draw_leave_gaps_in_the_plot(fields: dict[str, Any]) -> None:
    request = OptimizeRequest(range=(-1.0, 1.0), init=0.5, steps=3, **fields)
    document = json.loads(optimize_document(request))
    assert document["svg"].startswith("<svg")


def test_each_point_keeps_its_own_dtype() -> None:
    # Found by fuzzing: the run's dtype was its last step's, so the float64
    # objective of an earlier step came out rounded to float32 (and so a
    # step's answer changed with the number of steps after it).
    source = "def f(x):\n    if x > 1:\n        return (x.double() - 0.1)**2\n    return x**2\n"
    expected: list[float] = []
    with torch.enable_grad():
        x = torch.tensor(3.0, requires_grad=True)
        optimizer = torch.optim.SGD([x], lr=0.3)
        for _ in range(3):
            optimizer.zero_grad()
            out = (x.double() - 0.1) ** 2 if x > 1 else x**2
            out.backward()
            value = out.detach()
            # As the answer writes numbers: float64 as it is, float32 in its shortest form.
            expected.append(
                float(value) if value.dtype == torch.float64 else float(str(value.numpy()))
            )
            optimizer.step()
    for steps in (1, 2):
        request = OptimizeRequest(source=source, init=3.0, lr=0.3, steps=steps)
        (run,) = json.loads(optimize_document(request))["runs"]
        objectives = [p["objective"] for p in run["trajectory"]]
        assert objectives == expected[: steps + 1]
        assert objectives[1] == 1.3455997013092205


@pytest.mark.parametrize("fill", ["float('nan')", "float('inf')"])
def test_an_objective_that_spoils_its_parameter_is_answered(fill: str) -> None:
    # Found by fuzzing: every recorded parameter non-finite left the plot no
    # range to take (min of nothing): a 500.
    source = f"def f(x):\n    with torch.no_grad():\n        x.fill_({fill})\n    return x\n"
    document = json.loads(optimize_document(OptimizeRequest(source=source, steps=0)))
    (run,) = document["runs"]
    assert run["stopped"] == "the parameter is not finite at step 0: the run diverged"
    assert document["svg"].startswith("<svg") and math.isfinite(document["range"][0])


def test_a_parameter_past_float32s_range_is_divergence() -> None:
    # Found by fuzzing: -tanh(x) stays finite at x = inf, so the run went on
    # with an infinite parameter and no warning.
    request = OptimizeRequest(source="-tanh(x)", method="momentum", lr=3e38, steps=5)
    (run,) = json.loads(optimize_document(request))["runs"]
    assert run["stopped"] == "the parameter is not finite at step 2: the run diverged"
    assert [p["parameter"] for p in run["trajectory"]] == [0.0, 3e38, "inf"]
    assert run["steps_run"] == 2
