"""The nn programs of real-code.json through a real uvicorn server and the JSON API:
Python's stdout exactly, make_dot's op labels and parameter names, module boxes."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from app.api.examples import DATA
from tests.conftest import LiveServer

REAL_CODE = {
    lesson["id"]: lesson for lesson in json.loads((DATA / "real-code.json").read_text())["lessons"]
}
NN_IDS = ["torchviz-readme-mlp", "xor-net-sgd", "polynomial-adam"]
README = REAL_CODE["torchviz-readme-mlp"]


@pytest.mark.parametrize("lesson_id", NN_IDS)
def test_evaluate_prints_what_python_prints(live_server: LiveServer, lesson_id: str) -> None:
    lesson: dict[str, Any] = REAL_CODE[lesson_id]
    with live_server.client() as http:
        response = http.post("/api/v1/evaluate", json={"source": lesson["source"]})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["stdout"] == lesson["expect"]["stdout"]
    if lesson_id == "polynomial-adam":  # it ends in `linear_layer = model[0]`: a module
        assert answer["svg"] is None and answer["warnings"] == [
            "The graph is not drawn: the output linear_layer is a Linear module, not a tensor, "
            "and only tensors record an autograd graph (choose a tensor, such as a loss, as "
            "the output)"
        ]
    else:
        assert answer["warnings"] == []
        assert answer["svg"].startswith("<svg")
    if "op_labels" in lesson["expect"]:
        ops = Counter(n["label"] for n in answer["graph"]["nodes"] if n["kind"] == "op")
        assert dict(ops) == lesson["expect"]["op_labels"]
    assert answer["parameters"] and all(
        row["grad_norm"] is not None for row in answer["parameters"]
    )


def test_the_readme_model_in_the_answer(live_server: LiveServer) -> None:
    with live_server.client() as http:
        answer = http.post("/api/v1/evaluate", json={"source": README["source"]}).json()
    # What make_dot(y.mean(), ...) drew, its parameters named by module path here.
    assert answer["output_name"] is None and answer["shape"] == []
    names = ["model.W0.weight", "model.W0.bias", "model.W1.weight", "model.W1.bias"]
    assert [row["name"] for row in answer["parameters"]] == names
    assert [row["shape"] for row in answer["parameters"]] == [[16, 8], [16], [1, 16], [1]]
    leaves = [n["name"] for n in answer["graph"]["nodes"] if n["kind"] == "leaf"]
    assert sorted(leaves) == sorted(names)
    assert set(answer["gradients"]) == {"y", *names}
    calls = {(m["path"], m["type"]) for n in answer["graph"]["nodes"] for m in n["modules"]}
    assert calls == {
        ("model", "Sequential"),
        ("model.W0", "Linear"),
        ("model.tanh", "Tanh"),
        ("model.W1", "Linear"),
    }
    assert "W0: Linear" in answer["svg"] and "model: Sequential" in answer["svg"]


def test_the_torchviz_style_names_parameters_as_make_dot_does(live_server: LiveServer) -> None:
    with live_server.client() as http:
        dot = http.get(
            "/api/v1/graph.dot", params={"source": README["source"], "style": "torchviz"}
        ).text
        default = http.get("/api/v1/graph.dot", params={"source": README["source"]}).text
    for name in README["expect"]["parameter_names"]:
        assert f'"{name}\n' in dot
    assert "model.W0" not in dot
    assert "model.W0.weight" in default and "W0: Linear" in default


def test_module_boxes_turn_off_by_query(live_server: LiveServer) -> None:
    source = REAL_CODE["xor-net-sgd"]["source"]
    with live_server.client() as http:
        boxed = http.get("/api/v1/graph.svg", params={"source": source}).text
        plain = http.get(
            "/api/v1/graph.svg", params={"source": source, "group_modules": "false"}
        ).text
    assert 'class="cluster"' in boxed and "_M" in boxed and "fc1: Linear" in boxed
    assert "_M" not in plain and "fc1: Linear" not in plain
    assert plain.count('class="cluster"') == 1  # the loop's last iteration


def test_the_gallery_has_the_nn_lessons(live_server: LiveServer) -> None:
    with live_server.client() as http:
        examples = http.get("/api/v1/examples").json()["examples"]
    ids = [e["id"] for e in examples]
    for lesson_id in [*NN_IDS, "training-loop-last-step"]:
        assert lesson_id in ids
    training = next(e for e in examples if e["id"] == "training-loop-last-step")
    with live_server.client() as http:
        answer = http.post("/api/v1/evaluate", json={"source": training["source"]}).json()
    gallery = json.loads((DATA / "gallery.json").read_text())["lessons"]
    expected = next(g for g in gallery if g.get("id") == "training-loop-last-step")
    assert answer["stdout"] == expected["expect"]["stdout"]
    assert answer["output_name"] == "loss"
    assert [row["name"] for row in answer["parameters"]] == ["model.weight", "model.bias"]
    loops = {step["iteration"] for n in answer["graph"]["nodes"] for step in n["loops"]}
    assert loops == {4}  # the graph of the last step


def test_the_adam_loop_draws_its_last_step_when_its_loss_is_the_output(
    live_server: LiveServer,
) -> None:
    source = REAL_CODE["polynomial-adam"]["source"]
    with live_server.client() as http:
        answer = http.post("/api/v1/evaluate", json={"source": source, "output": "loss"}).json()
    assert answer["output_name"] == "loss" and answer["warnings"] == []
    ops = Counter(n["label"] for n in answer["graph"]["nodes"] if n["kind"] == "op")
    assert ops["MseLossBackward0"] == 1 and "model: Sequential" in answer["svg"]
