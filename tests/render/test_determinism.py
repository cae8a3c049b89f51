"""Same program, same bytes: DOT, SVG, PNG and JSON from two separate processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter: the real evaluate stage, then every format.
SCRIPT = """
import hashlib, json, sys
from app.evaluate import run_source
from app.graph import build_graph
from app.job import RenderOptions
from app.render import render

LOOP = "x = torch.tensor(1.0, requires_grad=True)\\nfor i in range(3):\\n    x = x*(x+1)\\ny = x\\n"
SOFTMAX = (
    "import torch.nn.functional as F\\n"
    "W = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\\n"
    "v = torch.tensor([0.5, -1.0])\\n"
    "y = F.softmax(W @ v, dim=0)[1]\\n"
)
SOURCES = [("3*sin(x) + x + 3", {"x": 5}), (LOOP, None), (SOFTMAX, None)]
OPTIONS = [
    RenderOptions(),
    RenderOptions(theme="dark", rankdir="LR", show_saved=True, show_attrs=True),
    RenderOptions(style="torchviz", show_saved=True, show_attrs=True),
]
digests = {}
for k, (source, inputs) in enumerate(SOURCES):
    evaluation = run_source(source, inputs)
    for j, options in enumerate(OPTIONS):
        flags = {"show_saved": options.show_saved, "show_attrs": options.show_attrs}
        graph = build_graph(evaluation, **flags)
        for fmt in ("dot", "svg", "png", "json"):
            digests[f"{k}-{j}-{fmt}"] = hashlib.sha256(render(graph, options, fmt)).hexdigest()
json.dump(digests, sys.stdout)
"""


def run_once(seed: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, str] = json.loads(done.stdout)
    return result


@pytest.mark.slow
def test_two_processes_give_the_same_bytes() -> None:
    first = run_once("1")
    second = run_once("2")
    assert len(first) == 3 * 3 * 4
    assert first == second
