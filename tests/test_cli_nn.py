"""`python -m app` on the nn programs of real-code.json: the server's answers, the flag
that turns module boxes off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.api.examples import DATA
from tests.test_cli import app

REAL_CODE = {
    lesson["id"]: lesson for lesson in json.loads((DATA / "real-code.json").read_text())["lessons"]
}


@pytest.mark.parametrize("lesson_id", ["torchviz-readme-mlp", "xor-net-sgd", "polynomial-adam"])
def test_eval_prints_what_python_prints(tmp_path: Path, lesson_id: str) -> None:
    lesson = REAL_CODE[lesson_id]
    program = tmp_path / "program.py"
    program.write_text(lesson["source"])
    result = app("eval", str(program), "--no-svg")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["stdout"] == lesson["expect"]["stdout"]
    if "op_labels" in lesson["expect"]:
        labels: dict[str, int] = {}
        for node in answer["graph"]["nodes"]:
            if node["kind"] == "op":
                labels[node["label"]] = labels.get(node["label"], 0) + 1
        assert labels == lesson["expect"]["op_labels"]


def test_render_names_and_boxes(tmp_path: Path) -> None:
    program = tmp_path / "readme.py"
    program.write_text(REAL_CODE["torchviz-readme-mlp"]["source"])
    torchviz = app("render", str(program), "--style", "torchviz", "--format", "dot")
    assert torchviz.returncode == 0, torchviz.stderr
    for name in REAL_CODE["torchviz-readme-mlp"]["expect"]["parameter_names"]:
        assert f'"{name}\n'.encode() in torchviz.stdout
    boxed = app("render", str(program), "--format", "dot")
    plain = app("render", str(program), "--format", "dot", "--no-module-boxes")
    assert b"W0: Linear" in boxed.stdout and b"subgraph cluster_M" in boxed.stdout
    assert plain.returncode == 0 and b"cluster" not in plain.stdout
