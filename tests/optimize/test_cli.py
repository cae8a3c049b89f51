"""`python -m app optimize`: the trajectory printed, the server's plot written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.optimize import OptimizeRequest
from app.optimize.answer import optimize_svg
from tests.conftest import ROOT

NOTEBOOK = "def objective(theta):\n    return theta*torch.cos(4*theta) + 2*torch.abs(theta)\n"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "optimize", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_prints_the_trajectories_and_writes_the_servers_plot(tmp_path: Path) -> None:
    program = tmp_path / "notebook.py"
    program.write_text(NOTEBOOK)
    out = tmp_path / "plots" / "descent.svg"
    result = cli(
        str(program), "--init", "-3.5", "--lr", "0.05", "--lr", "0.07,0.15", "--steps", "100",
        "-o", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "# sgd, lr = 0.05"
    assert lines[1].split() == ["step", "theta", "objective", "gradient"]
    assert lines[2].split()[:2] == ["0", "-3.5"]
    finals = [line for line in lines if line.startswith("# final")]
    assert [line.split()[4].rstrip(",") for line in finals] == [
        "-3.295959",
        "-1.529167",
        "0.1115029",
    ]
    request = OptimizeRequest(source=NOTEBOOK, init=-3.5, lr=(0.05, 0.07, 0.15), steps=100)
    assert out.read_bytes() == optimize_svg(request)


def test_json_is_the_api_document() -> None:
    result = cli("x**2", "--init", "2", "--lr", "0.25", "--steps", "3", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [p["parameter"] for p in document["runs"][0]["trajectory"]] == [2.0, 1.0, 0.5, 0.25]
    assert document["svg"].startswith("<svg")


def test_limits_and_errors_are_reported_with_the_source_position() -> None:
    result = cli("x**2", "--steps", "5000")
    assert result.returncode == 1
    assert "limit_exceeded: at most 1,000 steps" in result.stderr
    broken = cli("def f(x):\n    return x +* 2\n")
    assert broken.returncode == 1
    assert broken.stderr.startswith("<expression>:2:")
    assert "syntax_error" in broken.stderr
    bad_rate = cli("x**2", "--lr", "fast")
    assert bad_rate.returncode == 1 and "invalid_request" in bad_rate.stderr
