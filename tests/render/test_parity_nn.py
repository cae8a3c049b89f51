"""style=torchviz for programs with modules, against torchviz.make_dot itself.

A program's own make_dot(out, params=...) call decides the names: the style
draws exactly what that call draws (torchviz's README example: W0.weight,
...). Without one, the named leaves are the params, parameters named by
their path under the model (net.fc1.weight), as make_dot would label them
given those names.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import torch
import torchviz

from app.api.examples import DATA
from app.evaluate import run_source
from app.graph import build_graph, torchviz_params
from app.job import RenderOptions
from app.render import to_dot
from tests.render.parity import canonical, drawing

TORCHVIZ = RenderOptions(style="torchviz")
REAL_CODE = {
    lesson["id"]: lesson for lesson in json.loads((DATA / "real-code.json").read_text())["lessons"]
}

HEAD = (
    "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\ntorch.manual_seed(0)\n"
)
PROGRAMS = {
    "class": HEAD
    + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(3, 4), nn.Linear(4, 2)])
        self.scale = nn.Parameter(torch.ones(2))

    def forward(self, x):
        for layer in self.layers:
            x = torch.relu(layer(x))
        return x * self.scale

net = Net()
loss = net(torch.randn(5, 3)).pow(2).mean()
""",
    "conv": HEAD
    + """
model = nn.Sequential(
    nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(8, 3), nn.LogSoftmax(dim=1),
)
out = nn.NLLLoss()(model(torch.randn(2, 1, 4, 4)), torch.tensor([0, 2]))
""",
    "lstm": HEAD
    + """
rnn = nn.LSTM(2, 3)
head = nn.Linear(3, 1)
seq, (h, c) = rnn(torch.randn(4, 1, 2))
y = head(seq[-1]).sum()
""",
    "embedding": HEAD
    + """
emb = nn.Embedding(5, 2)
norm = nn.LayerNorm(2)
y = norm(emb(torch.tensor([1, 3, 3]))).sum()
""",
    "xor": REAL_CODE["xor-net-sgd"]["source"],
    "readme": REAL_CODE["torchviz-readme-mlp"]["source"],
}
VARIANTS: list[dict[str, bool]] = [{}, {"show_saved": True}, {"show_attrs": True}]


def _assert_same(ours: str, reference: str) -> None:
    theirs, mine = drawing(reference), drawing(ours)
    assert mine.nodes == theirs.nodes
    assert mine.edges == theirs.edges
    assert canonical(ours) == canonical(reference)


@pytest.mark.parametrize("flags", VARIANTS, ids=lambda f: "+".join(f) or "plain")
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_module_programs(name: str, flags: dict[str, bool]) -> None:
    evaluation = run_source(PROGRAMS[name])
    params = evaluation.make_dot_params or torchviz_params(evaluation)
    ours = to_dot(build_graph(evaluation, **flags), TORCHVIZ)
    try:
        reference = torchviz.make_dot(evaluation.output, params=params, **flags).source
    except RuntimeError as error:
        # make_dot reads saved tensors the program's own backward() freed; ours draws.
        assert "backward through the graph a second time" in str(error) and flags
        assert "AccumulateGrad" in ours
        return
    _assert_same(ours, reference)


def test_parameters_are_labelled_by_module_path_without_make_dot() -> None:
    ours = to_dot(build_graph(run_source(PROGRAMS["class"])), TORCHVIZ)
    for label in ("net.scale\n (2)", "net.layers.0.weight\n (4, 3)", "net.layers.1.bias\n (2)"):
        assert f'"{label}"' in ours


def _drawn_by_python(source: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The DOT of the program's own make_dot call, the program run by Python
    (its own text), with torchviz's make_dot recording what it returned."""
    drawn: list[Any] = []
    real = torchviz.make_dot

    def recording(*args: Any, **kwargs: Any) -> Any:
        drawn.append(real(*args, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(torchviz, "make_dot", recording)
    torch.manual_seed(0)
    exec(source, {"__name__": "__main__"})  # the reference: real Python, the lesson's own text
    (dot,) = drawn
    source_text: str = dot.source
    return source_text


def test_the_readme_example_draws_what_its_own_make_dot_call_draws(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = REAL_CODE["torchviz-readme-mlp"]["source"]
    reference = _drawn_by_python(source, monkeypatch)
    ours = to_dot(build_graph(run_source(source)), TORCHVIZ)
    _assert_same(ours, reference)
    for name in REAL_CODE["torchviz-readme-mlp"]["expect"]["parameter_names"]:
        assert f'"{name}\n' in ours
    assert "model.W0" not in ours


@pytest.mark.parametrize(
    "flags", ["show_attrs=True", "show_saved=True", "show_attrs=True, show_saved=True"]
)
def test_the_programs_make_dot_call_decides_saved_tensors_and_attributes(
    monkeypatch: pytest.MonkeyPatch, flags: str
) -> None:
    source = REAL_CODE["torchviz-readme-mlp"]["source"]
    call = "make_dot(y.mean(), params=dict(model.named_parameters()))"
    assert call in source
    source = source.replace(call, call[:-1] + f", {flags})")
    reference = _drawn_by_python(source, monkeypatch)
    ours = to_dot(build_graph(run_source(source)), TORCHVIZ)  # no options of the request's
    _assert_same(ours, reference)
    assert ours != to_dot(
        build_graph(run_source(REAL_CODE["torchviz-readme-mlp"]["source"])), TORCHVIZ
    )
