"""An output or gradient that is inf or nan is said so, in the answer's
warnings (app/evaluate/overflow.py); finite answers get no such warning."""

from __future__ import annotations

import json

import torch

from app.job import Job
from app.pipeline import run_job

LOOP = "x = torch.tensor(1.0, requires_grad=True)\nfor i in range({n}):\n    x = x*(x+1)\ny = x\n"


def answer(source: str, **inputs: float) -> dict[str, object]:
    document: dict[str, object] = json.loads(
        run_job(Job(source=source, inputs=inputs, format=None))
    )
    return document


def test_thirty_iterations_outgrow_float32_and_the_answer_says_so() -> None:
    # The reference: real torch overflows the same way.
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(30):
        y = y * (y + 1)
    y.backward()
    assert torch.isinf(y) and x.grad is not None and torch.isinf(x.grad)
    found = answer(LOOP.format(n=30))
    assert found["value"] == "inf"
    warnings = found["warnings"]
    assert isinstance(warnings, list)
    assert any("value of y holds inf" in w and "float64" in w for w in warnings)
    assert any("gradient of x holds inf" in w for w in warnings)


def test_nan_is_explained() -> None:
    found = answer("y = torch.sqrt(x) - torch.sqrt(x)", x=-1.0)
    assert found["value"] == "nan"
    assert any("holds nan" in w and "sqrt or log of a negative" in w for w in found["warnings"])  # type: ignore[attr-defined]


def test_a_finite_answer_has_no_such_warning() -> None:
    found = answer(LOOP.format(n=3))
    assert found["value"] == 42.0
    assert not any("holds" in w for w in found["warnings"])  # type: ignore[attr-defined]
