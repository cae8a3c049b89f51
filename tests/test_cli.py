"""`python -m app`: the CLI runs the server's core, so its bytes are the server's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.answers import check_lesson_answer
from tests.conftest import ROOT, LiveServer, lessons


def app(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        capture_output=True,
        input=None if stdin is None else stdin.encode(),
        timeout=120,
    )


def test_help_lists_the_verbs() -> None:
    result = app("--help")
    assert result.returncode == 0
    for verb in ("serve", "render", "eval", "optimize"):
        assert verb.encode() in result.stdout


@pytest.mark.parametrize("fmt", ["svg", "png", "dot", "json"])
def test_render_writes_the_bytes_the_server_answers(
    live_server: LiveServer, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"graph.{fmt}"
    result = app("render", "3*sin(x) + x + 3", "--input", "x=5", "--rankdir", "LR", "-o", str(out))
    assert result.returncode == 0, result.stderr
    with live_server.client() as http:
        served = http.get(
            f"/api/v1/graph.{fmt}", params={"source": "3*sin(x) + x + 3", "x": "5", "rankdir": "LR"}
        )
    assert served.status_code == 200
    assert out.read_bytes() == served.content


def test_render_a_file_to_stdout_with_options() -> None:
    lesson = next(item for item in lessons() if item["id"] == "loop")
    result = app("render", "-", "--format", "dot", "--style", "torchviz", stdin=lesson["source"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(b"MulBackward0") == 3


def test_batch_renders_a_folder_with_progress_and_names_failures(tmp_path: Path) -> None:
    src = tmp_path / "lessons"
    (src / "part1").mkdir(parents=True)
    (src / "loop.py").write_text(next(i for i in lessons() if i["id"] == "loop")["source"])
    (src / "part1" / "sum.py").write_text(
        "x = torch.arange(3.0, requires_grad=True)\ny = x.sum()\n"
    )
    (src / "broken.py").write_text("x = 1\ny = x +\n")
    out = tmp_path / "site"
    result = app("render", str(src), "-o", str(out))
    assert result.returncode == 1  # one program failed
    stderr = result.stderr.decode()
    assert "[1/3]" in stderr and "[3/3]" in stderr and "2 rendered, 1 failed" in stderr
    assert f"{src / 'broken.py'}:2:" in stderr and "syntax_error" in stderr
    assert (out / "loop.svg").read_bytes().startswith(b"<svg")
    assert (out / "part1" / "sum.svg").exists()
    assert not (out / "broken.svg").exists()


def test_eval_prints_the_api_answer() -> None:
    lesson = next(item for item in lessons() if item["id"] == "retain-grad")
    result = app("eval", "-", "--output", "y", "--no-svg", stdin=lesson["source"])
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    check_lesson_answer(answer, lesson)
    assert answer["svg"] is None


def test_errors_name_the_place() -> None:
    result = app("eval", "x.__class__")
    assert result.returncode == 1
    assert result.stderr.decode().startswith("<expression>:1:3: not_allowed:")
    bad = app("render", "x", "--input", "x")
    assert bad.returncode != 0 and b"NAME=VALUE" in bad.stderr
