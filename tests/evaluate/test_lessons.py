"""Every program of the lecture notebook (seed-lessons.json) gives what real PyTorch gives."""

from __future__ import annotations

from typing import Any

import pytest

from app.evaluate import run_source
from tests.conftest import lessons
from tests.evaluate.helpers import close, op_labels

LESSONS = lessons()


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson["id"] for lesson in LESSONS])
def test_lesson(lesson: dict[str, Any]) -> None:
    evaluation = run_source(lesson["source"], lesson.get("inputs"), lesson.get("output"))
    expect = lesson["expect"]
    assert close(evaluation.output, expect["value"]), evaluation.output
    if "gradients" in expect:
        assert set(evaluation.gradients) == set(expect["gradients"])
        for name, value in expect["gradients"].items():
            assert close(evaluation.gradients[name], value), (name, evaluation.gradients[name])
    for text in expect.get("stdout_contains", []):
        assert text in evaluation.stdout
    if "op_labels" in expect:
        assert op_labels(evaluation.output) == expect["op_labels"]
    assert evaluation.warnings == []


def test_every_lesson_is_covered() -> None:
    assert len(LESSONS) >= 14


def test_no_grad_lesson_has_no_gradients_and_no_graph() -> None:
    lesson = next(item for item in LESSONS if item["id"] == "no-grad-scalar")
    evaluation = run_source(lesson["source"], output=lesson["output"])
    assert evaluation.gradients == {}
    assert evaluation.output.grad_fn is None
    assert evaluation.backward is None


def test_gradient_descent_lessons_add_no_backward_pass() -> None:
    lesson = next(item for item in LESSONS if item["id"] == "gradient-descent-stuck")
    evaluation = run_source(lesson["source"], output=lesson["output"])
    # The output is the leaf the loop updated; its gradient is the one of the
    # program's own last backward(), not of an extra pass on the output.
    assert evaluation.output.is_leaf
    assert evaluation.output_name == "theta"
    assert evaluation.gradients["theta_hat"] is evaluation.output.grad
