"""Which gradients torch keeps (app/evaluate/kept.py), against torch itself:
a gradient is `leaf` or `retain_grad` exactly when the program's own
`name.grad` at the end holds it, and `rebound` exactly when the name then
means another tensor (the loop lesson's x). Issue 21, finding 2."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import torch

from app.evaluate import run_source

PROGRAMS = {
    "non-leaf": "x = torch.tensor(2.0, requires_grad=True)\na = x**2\ny = 3*a + x\ny.backward()\n",
    "retain_grad": (
        "x = torch.tensor(2.0, requires_grad=True)\na = x**2\na.retain_grad()\ny = 3*a + x\n"
        "y.backward()\n"
    ),
    "loop": (
        "x = torch.tensor(1.0, requires_grad=True)\nfor i in range(3):\n    x = x*(x+1)\n"
        "y = x\ny.backward()\n"
    ),
    "vector": (
        "w = torch.tensor([1.0, 2.0], requires_grad=True)\nh = w * 3\nh.retain_grad()\n"
        "z = (h * h).sum()\nq = z * 2\nq.backward()\n"
    ),
}


def reference(source: str) -> dict[str, Any]:
    names: dict[str, Any] = {"torch": torch}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns on a non-leaf's .grad: that is the point
        exec(source, names)  # the reference: real torch, this test's own text
    return names


@pytest.mark.parametrize("source", PROGRAMS.values(), ids=PROGRAMS.keys())
def test_kept_agrees_with_what_the_program_would_print(source: str) -> None:
    evaluation = run_source(source)
    real = reference(source)
    assert evaluation.gradients, "no gradients to check"
    for name, grad in evaluation.gradients.items():
        keeping = evaluation.keeping[name]
        now = real[name]
        same_tensor = not keeping.rebound
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            printed = now.grad  # what print(name.grad) shows at the end of the program
        if keeping.kept in ("leaf", "retain_grad") and same_tensor:
            assert printed is not None and grad is not None, name
            assert torch.equal(printed, grad), name
        elif same_tensor:
            assert keeping.kept == "visualizer"
            assert printed is None, name  # torch kept nothing: the page must say so


def test_the_loop_lessons_x_is_kept_by_torch_but_rebound() -> None:
    evaluation = run_source(PROGRAMS["loop"])
    keeping = evaluation.keeping["x"]
    assert (keeping.kept, keeping.rebound, keeping.rebound_line) == ("leaf", True, 3)
    real = reference(PROGRAMS["loop"])
    grad = evaluation.gradients["x"]
    assert grad is not None and grad.item() == 195.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert real["x"].grad is None  # print(x.grad) there: another tensor's, None


def test_the_answer_carries_who_keeps_each_gradient() -> None:
    import json

    from app.job import Job
    from app.pipeline import run_job

    answer = json.loads(run_job(Job(source=PROGRAMS["retain_grad"], format="json"), "evaluate"))
    kept = {name: doc["kept"] for name, doc in answer["gradients"].items()}
    assert kept == {"x": "leaf", "a": "retain_grad"}
    nodes = {n["name"]: n["kept"] for n in answer["graph"]["nodes"] if n["name"]}
    assert nodes["x"] == "leaf" and nodes["a"] == "retain_grad" and nodes["y"] == "visualizer"
