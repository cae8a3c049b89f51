"""The nn programs of data/real-code.json, run verbatim: what they print, what they draw.

`expect.stdout` is what Python printed for each; `op_labels` counts the
autograd nodes reachable from the drawn output; `parameter_names` are the
labels make_dot gives the parameters.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.api.examples import DATA
from app.evaluate import run_source
from tests.evaluate.helpers import op_labels

LESSONS = {
    lesson["id"]: lesson
    for lesson in json.loads((DATA / "real-code.json").read_text())["lessons"]
    if "nn" in lesson["area"].split("+")
}
A = "a = torch.ones(2, requires_grad=True)\n"
NN_IDS = ["torchviz-readme-mlp", "xor-net-sgd", "polynomial-adam"]


def test_the_nn_programs_are_the_three_of_the_issue() -> None:
    assert sorted(LESSONS) == sorted(NN_IDS)


@pytest.mark.parametrize("lesson_id", NN_IDS)
def test_prints_exactly_what_python_prints(lesson_id: str) -> None:
    lesson: dict[str, Any] = LESSONS[lesson_id]
    evaluation = run_source(lesson["source"])
    assert evaluation.stdout == lesson["expect"]["stdout"]
    assert evaluation.warnings == []
    if "op_labels" in lesson["expect"]:
        assert op_labels(evaluation.output) == lesson["expect"]["op_labels"]
    if "parameter_names" in lesson["expect"]:
        assert evaluation.make_dot_params is not None
        assert list(evaluation.make_dot_params) == lesson["expect"]["parameter_names"]


def test_the_readme_draws_its_make_dot_output() -> None:
    # make_dot(y.mean(), ...) comes before print(y): the mean is what is drawn.
    evaluation = run_source(LESSONS["torchviz-readme-mlp"]["source"])
    assert type(evaluation.output.grad_fn).__name__ == "MeanBackward0"
    assert evaluation.output_name is None
    assert list(evaluation.gradients) == [
        "y",  # an intermediate of the drawn graph
        "model.W0.weight",
        "model.W0.bias",
        "model.W1.weight",
        "model.W1.bias",
    ]


def test_the_xor_network_is_named_by_module_path() -> None:
    evaluation = run_source(LESSONS["xor-net-sgd"]["source"])
    assert evaluation.output_name == "loss"
    names = ["net.fc1.weight", "net.fc1.bias", "net.fc2.weight", "net.fc2.bias"]
    assert [name for name, _ in evaluation.parameters] == names
    assert [name for name in evaluation.gradients if name.startswith("net.")] == names


@pytest.mark.parametrize(
    ("source", "output", "name"),
    [
        # the last make_dot call's tensor, over a final expression and later names
        ("a = torch.ones(2, requires_grad=True)\nb = a * 2\nmake_dot(b)\nc = b + 1\nc", "b", "b"),
        (
            "a = torch.ones(2, requires_grad=True)\nmake_dot(a.sum())\nmake_dot(a * 3)\nd = 1",
            "",
            None,
        ),
        (
            "a = torch.ones(2, requires_grad=True)\nb = a * 2\nmake_dot(b, params={'a': a})",
            "b",
            "b",
        ),
    ],
)
def test_the_last_make_dot_call_decides_the_output(
    source: str, output: str, name: str | None
) -> None:
    evaluation = run_source(source)
    assert evaluation.output_name == name
    if output == "b":
        assert type(evaluation.output.grad_fn).__name__ == "MulBackward0"
    else:
        assert evaluation.output.shape == (2,)  # a * 3, the last call's


def test_the_requests_output_still_wins() -> None:
    source = "a = torch.ones(2, requires_grad=True)\nb = a * 2\nmake_dot(b, params={'w': a})\n"
    evaluation = run_source(source, output="a")
    assert evaluation.output_name == "a"
    assert evaluation.make_dot_params is None  # that call drew another tensor


def test_make_dots_params_must_be_tensors() -> None:
    evaluation = run_source(
        "a = torch.ones(2, requires_grad=True)\ntry:\n    make_dot(a * 2, params={'a': 1})\n"
        "except TypeError as e:\n    print(e)"
    )
    assert "params must be a dict of tensors" in evaluation.stdout
