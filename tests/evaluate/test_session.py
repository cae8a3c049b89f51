"""Session: the API the optimizer builds on, and the per-keystroke cost."""

from __future__ import annotations

import time

import pytest
import torch

from app.errors import InvalidRequest, LimitExceeded, UserRuntimeError
from app.evaluate import Session, run_source
from app.limits import Limits
from app.parse import parse_program

OBJECTIVE = "def objective(theta):\n    return theta*torch.cos(4*theta) + 2*torch.abs(theta)\n"


def test_call_a_function_the_program_defined() -> None:
    session = Session(parse_program(OBJECTIVE))
    session.run()
    theta = torch.tensor(-3.5, requires_grad=True)
    for _ in range(3):
        out = session.call("objective", theta)
        out.backward()
        with torch.no_grad():
            theta -= 0.05 * theta.grad  # type: ignore[operator]
        theta.grad = None
    expected = torch.tensor(-3.5, requires_grad=True)
    for _ in range(3):
        out = expected * torch.cos(4 * expected) + 2 * torch.abs(expected)
        out.backward()
        with torch.no_grad():
            expected -= 0.05 * expected.grad  # type: ignore[operator]
        expected.grad = None
    assert torch.equal(theta, expected)


def test_calls_share_the_step_budget() -> None:
    session = Session(parse_program(OBJECTIVE), limits=Limits(steps=20))
    session.run()
    with pytest.raises(LimitExceeded):
        for _ in range(100):
            session.call("objective", torch.tensor(1.0))
    assert session.steps > 20


def test_call_errors_point_into_the_function() -> None:
    session = Session(parse_program("def f(v):\n    return v @ v\n"))
    session.run()
    with pytest.raises(UserRuntimeError) as caught:
        session.call("f", torch.ones(2, 3))
    assert (caught.value.line, caught.value.column) == (2, 12)
    with pytest.raises(InvalidRequest):
        session.call("missing")


def test_evaluate_an_expression_again() -> None:
    session = Session(parse_program("x*cos(4*x) + 2*abs(x)"), record=False)
    values = []
    for start in (-3.5, 0.5):
        x = torch.tensor(start, requires_grad=True)
        values.append(session.evaluate_expression(x=x))
    assert values[0].item() == pytest.approx(-3.5 * float(torch.cos(torch.tensor(-14.0))) + 7)
    assert session.machine.tracker.named_tensors == {}
    with pytest.raises(InvalidRequest):
        Session(parse_program("y = 1")).evaluate_expression(x=1)


def test_finish_assembles_the_evaluation() -> None:
    session = Session(parse_program("y = x ** 2"), {"x": 3})
    session.run()
    evaluation = session.finish()
    assert evaluation.output_name == "y"
    assert evaluation.gradients["x"].item() == 6.0


def test_per_keystroke_cost() -> None:
    # SPEC: the page redraws on every keystroke. Parse + evaluate + backward of
    # the first lesson: a few hundred microseconds (the bound here is loose,
    # this machine is shared).
    for _ in range(50):
        run_source("3*sin(x) + x + 3", {"x": 5})
    runs = 300
    start = time.perf_counter()
    for _ in range(runs):
        run_source("3*sin(x) + x + 3", {"x": 5})
    per_run = (time.perf_counter() - start) / runs
    assert per_run < 0.003, f"{per_run * 1e6:.0f} us per run"


def test_true_and_false_are_not_inputs() -> None:
    # An int to Python, but not a number to the API (app.job refuses it too).
    with pytest.raises(InvalidRequest, match="must be a number, not True"):
        run_source("3*x", {"x": True})
    assert run_source("3*x", {"x": 1}).output.item() == 3.0


_OUT_OF_MEMORY_IN_BACKWARD = """
import os, resource
from app.errors import LimitExceeded
from app.evaluate import Session
from app.parse import parse_program

session = Session(parse_program(
    "x = torch.rand(1000000, requires_grad=True)\\ny = (x * x).sum()\\ny"))
with session.running():
    session.run()
    # Address space for what the program holds and a little more: not for
    # the 4 MB gradients the automatic backward makes.
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (mapped + (2 << 20), resource.RLIM_INFINITY))
    try:
        evaluation = session.finish()
        print("answered", evaluation.warnings)
    except LimitExceeded as error:
        print("limit", error.limit)
"""


def test_the_automatic_backward_out_of_memory_is_the_memory_limit() -> None:
    # It was a warning in a 200 ("gradients were not computed"), with null
    # gradients, and cached: an answer shaped by what the process held.
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run(
        [sys.executable, "-c", _OUT_OF_MEMORY_IN_BACKWARD],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "limit memory_bytes", done.stdout + done.stderr
