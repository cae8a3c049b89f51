"""`python -m app`: the CLI runs the server's core, so its bytes are the server's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.api.answers import check_lesson_answer
from tests.conftest import ROOT, LiveServer, lessons
from tests.evaluate.numpy_programs import cell


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


def test_eval_of_the_notebooks_numpy_cell_prints_what_python_printed(tmp_path: Path) -> None:
    lesson = cell("verbatim-cell2-numpy-torch")
    program = tmp_path / "cell2.py"
    program.write_text(lesson["source"])
    result = app("eval", str(program), "--no-svg")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["stdout"] == lesson["expect"]["stdout"]


def test_errors_name_the_place() -> None:
    result = app("eval", "x.__class__")
    assert result.returncode == 1
    assert result.stderr.decode().startswith("<expression>:1:3: not_allowed:")
    bad = app("render", "x", "--input", "x")
    assert bad.returncode != 0 and b"NAME=VALUE" in bad.stderr


# About a millisecond an iteration (three passes over a million floats),
# 100,000 of them: far past any wall-time limit, and inside every other
# limit (the reductions create scalars, not a million elements each).
SPIN = "x = torch.rand(1000000)\nfor i in range(100000):\n    y = x.max() + x.min() + x.sum()\ny\n"


def last_line(stderr: bytes) -> str:
    # The evaluation process may write library warnings (fontconfig) first.
    return stderr.decode().strip().splitlines()[-1]


def test_a_program_past_the_wall_time_fails_as_the_server_answers_it(
    live_server: LiveServer, tmp_path: Path
) -> None:
    program = tmp_path / "spin.py"
    program.write_text(SPIN)
    started = time.monotonic()
    cli = subprocess.Popen(
        [sys.executable, "-m", "app", "render", str(program), "-o", str(tmp_path / "spin.svg")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        with live_server.client() as http:
            served = http.get("/api/v1/graph.svg", params={"source": SPIN})
        _, stderr = cli.communicate(timeout=60)  # it does not run its 100 s
    finally:
        cli.kill()
        cli.wait()
    assert time.monotonic() - started < 30
    assert served.status_code == 422
    problem = served.json()
    assert (problem["code"], problem["limit"]) == ("limit_exceeded", "wall_time")
    assert cli.returncode == 1
    assert last_line(stderr) == f"{program}: limit_exceeded: {problem['detail']}"
    assert not (tmp_path / "spin.svg").exists()

    evaluated = app("eval", str(program), "--no-svg")
    assert evaluated.returncode == 1 and evaluated.stdout == b""
    assert last_line(evaluated.stderr) == f"{program}: limit_exceeded: {problem['detail']}"


def test_batch_reports_a_program_out_of_time_and_renders_the_next(tmp_path: Path) -> None:
    src = tmp_path / "lessons"
    src.mkdir()
    (src / "a_spin.py").write_text(SPIN)
    (src / "b_sum.py").write_text("x = torch.arange(3.0, requires_grad=True)\ny = x.sum()\n")
    result = subprocess.run(
        [sys.executable, "-m", "app", "render", str(src), "-o", str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={**os.environ, "AUTOGRAD_VIZ_WALL_TIME_S": "1"},  # the server's setting, honoured
    )
    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert (
        f"{src / 'a_spin.py'}: limit_exceeded: the program ran longer than 1 s, the time "
        "limit of one evaluation, and was stopped"
    ) in stderr
    assert "a_spin.py" in stderr and "FAILED" in stderr and "1 rendered, 1 failed" in stderr
    assert not (tmp_path / "out" / "a_spin.svg").exists()
    assert (tmp_path / "out" / "b_sum.svg").read_bytes().startswith(b"<svg")


def test_memory_is_bounded_as_the_server_bounds_it(tmp_path: Path) -> None:
    program = tmp_path / "big.py"
    # 19 tensors of 4 MB each, all kept: 76 MB, past a 64 MiB limit.
    program.write_text("xs = []\nfor i in range(19):\n    xs.append(torch.rand(1000000))\nxs[0]\n")
    result = subprocess.run(
        [sys.executable, "-m", "app", "eval", str(program), "--no-svg"],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={**os.environ, "AUTOGRAD_VIZ_MEMORY_MB": "64"},
    )
    assert result.returncode == 1
    assert last_line(result.stderr).startswith(f"{program}:3:")
    assert "limit_exceeded: the program ran out of memory" in last_line(result.stderr)
    assert app("eval", str(program), "--no-svg").returncode == 0  # fits in the default 1 GiB


def test_a_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    program = tmp_path / "notepad.py"
    program.write_bytes(b"\xef\xbb\xbfx = torch.tensor(2.0, requires_grad=True)\r\ny = x*x\r\n")
    result = app("eval", str(program), "--no-svg")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["value"] == 4.0 and answer["gradients"]["x"]["value"] == 4.0
    piped = app("eval", "-", "--no-svg", stdin="\ufeffx = torch.tensor(3.0)\nx + 1\n")
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["value"] == 4.0


@pytest.mark.parametrize(
    "target", ["nosuchdir/", "nosuchdir/lesson.py", "lesson.py", "missing/deeper/"]
)
def test_a_missing_path_is_an_error_not_an_expression(target: str) -> None:
    result = app("render", target, "-o", "never-written.svg")
    assert result.returncode == 1
    assert result.stderr.decode().strip() == f"{target}: no such file or directory"
    assert not (ROOT / "never-written.svg").exists()


def test_expressions_with_slashes_and_long_ones_stay_expressions(tmp_path: Path) -> None:
    divided = app("eval", "x/2", "--input", "x=4", "--no-svg")
    assert divided.returncode == 0, divided.stderr
    assert json.loads(divided.stdout)["value"] == 2.0
    # Longer than a file name may be (255 bytes): not a path, and no OSError.
    long = "torch.tensor([" + "1.0, " * 60 + "]).sum() + x"
    summed = app("eval", long, "--input", "x=1", "--no-svg")
    assert summed.returncode == 0, summed.stderr
    assert json.loads(summed.stdout)["value"] == 61.0


def test_eval_of_a_folder_says_so(tmp_path: Path) -> None:
    result = app("eval", str(tmp_path))
    assert result.returncode == 1
    assert "is a folder" in result.stderr.decode()


def test_help_states_what_is_a_path() -> None:
    text = " ".join(app("render", "--help").stdout.decode().split())
    assert "ends in .py or /, is a path" in text
    assert "AUTOGRAD_VIZ_WALL_TIME_S" in text


def test_the_cli_process_leaves_torch_to_the_evaluation_process() -> None:
    # What render and eval import in the command's own process: torch and
    # Graphviz are loaded once, by the fork server, not twice.
    code = (
        "import sys, app.cli, app.query, app.runner, app.settings; "
        "print([m for m in ('torch', 'pygraphviz', 'matplotlib') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout


def test_dash_is_stdout_for_render_and_for_the_optimize_plot(tmp_path: Path) -> None:
    # Found by probing: `-o -` wrote a file named "-".
    result = subprocess.run(
        [sys.executable, "-m", "app", "render", "x*2", "--input", "x=5", "-o", "-"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == app("render", "x*2", "--input", "x=5").stdout
    assert result.stdout.startswith(b"<svg")
    plot = subprocess.run(
        [sys.executable, "-m", "app", "optimize", "x**2", "--init", "1", "--steps", "3", "-o", "-"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert plot.returncode == 0, plot.stderr
    assert plot.stdout.startswith(b"<svg") and plot.stdout.rstrip().endswith(b"</svg>")
    assert b"# sgd, lr = 0.05" in plot.stderr  # the table, out of the plot's way
    assert list(tmp_path.iterdir()) == []
    both = app("optimize", "x**2", "--json", "-o", "-")
    assert both.returncode != 0 and b"both write to stdout" in both.stderr
    folder = app("render", str(tmp_path), "-o", "-")
    assert folder.returncode != 0 and b"not -" in folder.stderr


@pytest.mark.parametrize("out", ["/", "/dev/full", "/proc/version", "/proc/self/nope/g.svg"])
def test_an_output_that_cannot_be_written_is_a_message_not_a_traceback(out: str) -> None:
    for args in (("render", "x*2", "--input", "x=5"), ("optimize", "x**2", "--steps", "2")):
        result = app(*args, "-o", out)
        assert result.returncode == 1, result.stderr
        stderr = result.stderr.decode()
        assert f"{out}: cannot write: " in stderr and "Traceback" not in stderr, stderr


def test_an_unknown_option_is_refused_not_bound_as_an_input() -> None:
    # Found by probing: `--option show_value=false` (a typo) was an input binding.
    result = app("render", "x*2", "--input", "x=5", "--option", "show_value=false", "-f", "dot")
    assert result.returncode != 0
    assert b"unknown option 'show_value'" in result.stderr and b"show_values" in result.stderr
    shown = app("render", "x*2", "--input", "x=5", "--option", "show_values=false", "-f", "dot")
    assert shown.returncode == 0, shown.stderr


def test_render_draws_long_loops_collapsed_unless_asked_whole() -> None:
    loop = (
        "x = torch.tensor(1.0, requires_grad=True)\nfor i in range(30):\n"
        "    x = x*(x+1)/(x+2)\ny = x\n"
    )
    collapsed = app("render", "-", "--format", "dot", stdin=loop)
    whole = app("render", "-", "--format", "dot", "--loops", "expanded", stdin=loop)
    assert collapsed.returncode == whole.returncode == 0, collapsed.stderr + whole.stderr
    assert collapsed.stdout.count(b"subgraph cluster_") == 3
    assert b"27 more iterations" in collapsed.stdout
    assert whole.stdout.count(b"subgraph cluster_") == 30
