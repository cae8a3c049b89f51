"""`python -m app optimize`: the trajectory printed, the server's plot written,
in an evaluation process under the server's limits."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT, LiveServer

NOTEBOOK = "def objective(theta):\n    return theta*torch.cos(4*theta) + 2*torch.abs(theta)\n"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "optimize", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_prints_the_trajectories_and_writes_the_servers_plot(
    live_server: LiveServer, tmp_path: Path
) -> None:
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
    query = {"source": NOTEBOOK, "init": "-3.5", "lr": "0.05,0.07,0.15", "steps": "100"}
    with live_server.client() as http:
        served = http.get("/api/v1/optimize.svg", params=query)
        document = http.post(
            "/api/v1/optimize",
            json={"source": NOTEBOOK, "init": -3.5, "lr": [0.05, 0.07, 0.15], "steps": 100},
        ).json()
    assert served.status_code == 200
    assert out.read_bytes() == served.content
    # Every printed step is the API's, every digit (found by fuzzing: the
    # table printed 7 significant digits, float32 needs up to 9).
    printed = [line.split() for line in lines if line.split()[:1] and line.split()[0].isdigit()]
    steps = [p for run in document["runs"] for p in run["trajectory"]]
    assert len(printed) == len(steps) == 3 * 101
    for row, point in zip(printed, steps, strict=True):
        expected = [repr(point[name]) for name in ("parameter", "objective", "gradient")]
        assert row[1:] == expected
    finals_json = [run["final"]["parameter"] for run in document["runs"]]
    assert [line.split()[4].rstrip(",") for line in finals] == [repr(x) for x in finals_json]
    assert [round(x, 6) for x in finals_json] == [-3.295959, -1.529167, 0.111503]


def test_json_is_the_api_document(live_server: LiveServer) -> None:
    result = cli("x**2", "--init", "2", "--lr", "0.25", "--steps", "3", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [p["parameter"] for p in document["runs"][0]["trajectory"]] == [2.0, 1.0, 0.5, 0.25]
    assert document["svg"].startswith("<svg")
    with live_server.client() as http:
        served = http.post(
            "/api/v1/optimize", json={"source": "x**2", "init": 2, "lr": 0.25, "steps": 3}
        )
    assert served.status_code == 200
    assert result.stdout.rstrip("\n").encode() == served.content


# Runs once, before the first step, and takes far longer than the wall time.
SLOW_START = (
    "x = torch.rand(1000000)\n"
    "for i in range(100000):\n"
    "    y = x.max() + x.min() + x.sum()\n"
    "def f(theta):\n"
    "    return theta**2\n"
)


def test_an_objective_past_the_wall_time_fails_as_the_server_answers_it(
    live_server: LiveServer, tmp_path: Path
) -> None:
    program = tmp_path / "slow.py"
    program.write_text(SLOW_START)
    out = tmp_path / "slow.svg"
    started = time.monotonic()
    result = cli(str(program), "--steps", "3", "-o", str(out))
    assert time.monotonic() - started < 30  # not the program's own minutes
    with live_server.client() as http:
        served = http.post("/api/v1/optimize", json={"source": SLOW_START, "steps": 3})
    assert served.status_code == 422
    problem = served.json()
    assert (problem["code"], problem["limit"]) == ("limit_exceeded", "wall_time")
    assert result.returncode == 1 and result.stdout == ""
    last = result.stderr.strip().splitlines()[-1]  # after any library warnings
    assert last == f"{program}: limit_exceeded: {problem['detail']}"
    assert not out.exists()


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
