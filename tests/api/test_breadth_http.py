"""Issue 20's programs through a real server: the JSON answer, the image, the CLI.

A tutorial's custom autograd Function, a hook, torch.func, the Python around
them, and a name bound to a second leaf, through POST /api/v1/evaluate and
GET /api/v1/graph.svg of a live server (worker processes and all), and
through `python -m app eval`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, LiveServer
from tests.evaluate.python import addresses_in_order, python_stdout

PROGRAM = """\
import torch
import random
from torchviz import make_dot

class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
x = torch.tensor([0.5, 1.0], requires_grad=True, device=device)
x = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
x.register_hook(lambda g: g * 2)
y = Exp.apply(x).sum()
make_dot(y)
y.backward()
slope = torch.func.grad(lambda t: (t ** 3).sum())(x.detach())
random.seed(3)
if __name__ == "__main__":
    print("{:.4f} | %s | {}".format(y.item(), x.grad) % ", ".join(["a", "b"]), slope)
    print(y.grad_fn, random.randint(0, 9))
"""


def test_the_answer_is_pythons_and_the_same_every_time(live_server: LiveServer) -> None:
    expected = python_stdout(PROGRAM)
    with live_server.client() as client:
        first = client.post("/api/v1/evaluate", json={"source": PROGRAM, "output": "y"})
        again = client.post("/api/v1/evaluate", json={"source": PROGRAM + "\n", "output": "y"})
    assert first.status_code == 200, first.text
    answer = first.json()
    # Python prints the node's real address; ours is the run's stand-in.
    assert addresses_in_order(answer["stdout"]) == addresses_in_order(expected)
    assert "<SumBackward0 object at 0x7f0000001000>" in answer["stdout"]
    assert answer["stdout"] == again.json()["stdout"]
    labels = [node["label"] for node in answer["graph"]["nodes"]]
    assert "ExpBackward" in labels
    gradients = answer["gradients"]
    assert gradients["x"]["value"] == [5.4365635, 14.778112]  # the hook doubled e**x
    assert [name for name in gradients if name.startswith("x (")] == ["x (line 18)"]
    with live_server.client() as client:
        image = client.get("/api/v1/graph.svg", params={"source": PROGRAM, "output": "y"})
    assert image.status_code == 200 and "ExpBackward" in image.text


def test_the_cli_runs_it_too(tmp_path: Path) -> None:
    program = tmp_path / "lesson.py"
    program.write_text(PROGRAM, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "app", "eval", str(program), "--no-svg", "--output", "y"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert "ExpBackward" in {node["label"] for node in answer["graph"]["nodes"]}
    assert answer["stdout"].startswith("10.1073 | a, b | tensor([ 5.4366, 14.7781])")
