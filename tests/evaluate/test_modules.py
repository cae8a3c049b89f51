"""torch.nn modules in programs: each module's values and gradients against torch
run directly, module methods and containers, bounds before allocation."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from app.errors import LimitExceeded, NotAllowed, UserRuntimeError
from app.evaluate import Session, run_source
from app.limits import Limits
from app.parse import parse_program
from tests.evaluate.python import python_stdout

X = "x = torch.randn(4, 3, requires_grad=True)"
SEQ = "x = torch.randn(5, 2, 3, requires_grad=True)"
IMG = "x = torch.randn(2, 2, 7, 6, requires_grad=True)"
SIGNAL = "x = torch.randn(2, 2, 9, requires_grad=True)"
PAIR = X + "\nt = torch.randn(4, 3)"
LOGITS = "x = torch.randn(4, 5, requires_grad=True)\nt = torch.tensor([1, 0, 4, 2])"
PROBS = "x = torch.rand(4, 3, requires_grad=True)\nt = torch.rand(4, 3)"

# (constructor, inputs, call, what backward starts from)
CASES: list[tuple[str, str, str, str]] = [
    ("nn.Linear(3, 2)", X, "m(x)", "y.sum()"),
    ("nn.Linear(3, 2, bias=False)", X, "m(x)", "(y * y).sum()"),
    ("nn.Bilinear(3, 3, 2)", PAIR, "m(x, t)", "y.sum()"),
    ("nn.Conv1d(2, 3, 3, padding=1)", SIGNAL, "m(x)", "y.sum()"),
    ("nn.Conv2d(2, 4, (3, 2), stride=2, groups=2)", IMG, "m(x)", "y.pow(2).sum()"),
    ("nn.MaxPool1d(2)", SIGNAL, "m(x)", "y.sum()"),
    ("nn.MaxPool2d(3, stride=2, padding=1)", IMG, "m(x)", "y.sum()"),
    ("nn.AvgPool1d(3, stride=1)", SIGNAL, "m(x)", "y.sum()"),
    ("nn.AvgPool2d(2)", IMG, "m(x)", "(y * y).sum()"),
    ("nn.BatchNorm1d(3)", X, "m(x)", "(y * torch.arange(3.0)).sum()"),
    ("nn.BatchNorm2d(2)", IMG, "m(x)", "(y * y).sum()"),
    ("nn.LayerNorm(3)", X, "m(x)", "(y * torch.arange(3.0)).sum()"),
    ("nn.Dropout(0.5)", X, "m(x)", "y.sum()"),
    ("nn.Embedding(10, 3)", "x = torch.tensor([[1, 2], [4, 9]])", "m(x)", "y.sum()"),
    ("nn.RNN(3, 4)", SEQ, "m(x)[0]", "y.sum()"),
    ("nn.LSTM(3, 4, num_layers=2)", SEQ, "m(x)[0]", "y.sum()"),
    ("nn.GRU(3, 4, batch_first=True, bidirectional=True)", SEQ, "m(x)[0]", "y.sum()"),
    ("nn.Flatten()", IMG, "m(x)", "(y * y).sum()"),
    ("nn.Unflatten(1, (3, 1))", X, "m(x)", "(y * y).sum()"),
    ("nn.Identity(54, unused=True)", X, "m(x)", "(y * y).sum()"),
    ("nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 1))", X, "m(x)", "y.sum()"),
    ("nn.ReLU()", X, "m(x)", "y.sum()"),
    ("nn.LeakyReLU(0.1)", X, "m(x)", "y.sum()"),
    ("nn.ELU()", X, "m(x)", "y.sum()"),
    ("nn.GELU()", X, "m(x)", "y.sum()"),
    ("nn.SiLU()", X, "m(x)", "y.sum()"),
    ("nn.Sigmoid()", X, "m(x)", "y.sum()"),
    ("nn.Tanh()", X, "m(x)", "y.sum()"),
    ("nn.Softplus(beta=2)", X, "m(x)", "y.sum()"),
    ("nn.Softmax(dim=1)", X, "m(x)", "(y * y).sum()"),
    ("nn.LogSoftmax(dim=1)", X, "m(x)", "(y * y).sum()"),
    ("nn.PReLU()", X, "m(x)", "y.sum()"),
    ("nn.Hardtanh(-0.5, 0.5)", X, "m(x)", "y.sum()"),
    ("nn.MSELoss()", PAIR, "m(x, t)", "y"),
    ("nn.L1Loss(reduction='sum')", PAIR, "m(x, t)", "y"),
    ("nn.SmoothL1Loss(beta=0.5)", PAIR, "m(x, t)", "y"),
    ("nn.HuberLoss(delta=0.3)", PAIR, "m(x, t)", "y"),
    ("nn.CrossEntropyLoss(label_smoothing=0.1)", LOGITS, "m(x, t)", "y"),
    ("nn.NLLLoss()", LOGITS, "m(torch.log_softmax(x, 1), t)", "y"),
    ("nn.BCELoss()", PROBS, "m(x, t)", "y"),
    ("nn.BCEWithLogitsLoss(pos_weight=torch.ones(3) * 2)", PAIR, "m(x, torch.sigmoid(t))", "y"),
    ("nn.KLDivLoss(reduction='batchmean')", PROBS, "m(torch.log(x), t)", "y"),
]


def _program(ctor: str, inputs: str, call: str, root: str) -> str:
    return (
        "import torch\nimport torch.nn as nn\ntorch.manual_seed(0)\n"
        f"m = {ctor}\n{inputs}\ny = {call}\nout = {root}\nout.backward()\n"
    )


def _reference(source: str) -> dict[str, Any]:
    names: dict[str, Any] = {"__name__": "__main__"}
    torch.manual_seed(0)
    exec(source, names)  # the reference: real torch, this test's own text
    return names


def _same(a: torch.Tensor | None, b: torch.Tensor | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and bool(torch.equal(a, b))


@pytest.mark.parametrize(("ctor", "inputs", "call", "root"), CASES, ids=[c[0] for c in CASES])
def test_module_values_and_gradients_are_torchs(
    ctor: str, inputs: str, call: str, root: str
) -> None:
    source = _program(ctor, inputs, call, root)
    session = Session(parse_program(source))
    with session.running():
        session.run()
    ours = {name: session.get(name) for name in ("m", "x", "y", "out")}
    theirs = _reference(source)
    assert _same(ours["y"], theirs["y"]) and _same(ours["out"], theirs["out"])
    assert _same(ours["x"].grad, theirs["x"].grad)
    our_params = dict(ours["m"].named_parameters())
    their_params = dict(theirs["m"].named_parameters())
    assert list(our_params) == list(their_params)
    for name, parameter in our_params.items():
        assert _same(parameter, their_params[name]), name
        assert _same(parameter.grad, their_params[name].grad), name


INIT = """
import torch
import torch.nn as nn
torch.manual_seed(0)
w = torch.zeros(3, 5)
b = torch.zeros(4)
nn.init.xavier_uniform_(w)
print(w)
nn.init.kaiming_normal_(w, mode='fan_out', nonlinearity='relu')
print(w)
nn.init.normal_(b, mean=1.0, std=0.1)
print(b)
nn.init.uniform_(b, -1, 1)
nn.init.constant_(w, 0.5)
print(b, w.sum())
nn.init.zeros_(b)
nn.init.ones_(w)
print(b, w.mean(), nn.init.calculate_gain('tanh'))
layer = nn.Linear(2, 2)
with torch.no_grad():
    nn.init.eye_(layer.weight)
print(layer.weight)
"""

METHODS = """
import torch
import torch.nn as nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
model.add_module('out', nn.Linear(3, 1))
print(model)
print(len(model), model[0], model[-1].weight.shape, model.out.bias.shape)
print(model[1:])
for name, p in model.named_parameters():
    print(name, tuple(p.shape), p.requires_grad)
print([c for c in model.children()])
print([n for n, c in model.named_children()], len(list(model.modules())))
print(sum(p.numel() for p in model.parameters()))
y = model(torch.ones(4, 2)).sum()
y.backward()
print(model[0].weight.grad)
model.zero_grad()
print(model[0].weight.grad)
print(model.training, model.eval() is model, model.training, model[0].training)
model.train()
print(model[2].training)
model.requires_grad_(False)
print(model[0].weight.requires_grad)
model[1] = nn.ReLU()
model.append(nn.Sigmoid())
print(model)
for layer in model:
    print(layer)
layers = nn.ModuleList([nn.Linear(1, 1)])
layers.append(nn.Linear(1, 2))
layers.extend([nn.ReLU()])
layers.insert(0, nn.Identity())
print(len(layers), layers[1].out_features, layers[2].in_features)
heads = nn.ModuleDict({'a': nn.Linear(1, 1), 'b': nn.ReLU()})
heads['c'] = nn.Tanh()
print(list(heads.keys()), len(heads), [k for k in heads], heads['b'])
lin = nn.Linear(2, 2)
lin.bias = None
lin.weight = nn.Parameter(torch.ones(2, 2))
print(lin, lin(torch.ones(1, 2)))
print(lin.in_features, lin.out_features, nn.Conv2d(1, 2, 3).kernel_size)
bn = nn.BatchNorm1d(2)
bn(torch.tensor([[1.0, 2.0], [3.0, 5.0]]))
print(bn.running_mean, bn.num_batches_tracked)
p = nn.Parameter(torch.ones(2))
print(p, p.requires_grad)
"""


@pytest.mark.parametrize("source", [INIT, METHODS], ids=["init", "methods"])
def test_prints_what_torch_prints(source: str) -> None:
    assert run_source(source).stdout == python_stdout(source)


def test_layers_are_bounded_before_they_exist() -> None:
    for source, limit in [
        ("nn.Linear(10**6, 10**6)", "tensor_elements"),
        ("nn.Linear(10**30, 10)", "tensor_elements"),
        ("nn.Embedding(10**7, 10)", "tensor_elements"),
        ("nn.LSTM(1000, 1000, num_layers=10)", "tensor_elements"),
        ("nn.Conv2d(1000, 1000, 3)", "tensor_elements"),
        ("l = []\nfor i in range(40):\n    l.append(nn.Linear(1000, 1000))", "total_elements"),
    ]:
        with pytest.raises(LimitExceeded) as caught:
            run_source(source)
        assert caught.value.limit == limit, source


def test_parameters_count_toward_the_total() -> None:
    small = Limits(total_elements=1_000)
    run_source("nn.Linear(20, 20)", limits=small)  # 420
    with pytest.raises(LimitExceeded) as caught:
        run_source(
            "a = nn.Linear(20, 20)\nb = nn.Linear(20, 20)\nc = nn.Linear(20, 20)", limits=small
        )
    assert caught.value.limit == "total_elements"


def test_outputs_are_bounded_before_the_call() -> None:
    for source in [
        "m = nn.Linear(1, 10**6)\nm(torch.ones(10**6, 1))",
        "m = nn.Conv2d(1, 1, 1, padding=10**4)\nm(torch.ones(1, 1, 1, 1))",
        "m = nn.Embedding(10, 10**5)\nm(torch.zeros(100, dtype=torch.long))",
        "m = nn.Sequential(nn.Identity(), nn.Linear(1, 10**6))\nm(torch.ones(10**6, 1))",
    ]:
        with pytest.raises(LimitExceeded) as caught:
            run_source(source)
        assert (caught.value.limit, caught.value.line) == ("tensor_elements", 2), source


def test_module_calls_count_as_steps() -> None:
    source = "m = nn.Sequential()\nfor i in range(300):\n    m.append(nn.Identity())\nm(1)"
    with pytest.raises(LimitExceeded) as caught:
        run_source(source, limits=Limits(steps=1000))
    assert caught.value.limit == "steps" and caught.value.line == 4


def test_torchs_errors_are_the_programs_to_catch() -> None:
    source = (
        "m = nn.Linear(3, 2)\ntry:\n    m(torch.ones(2, 2))\nexcept RuntimeError as e:\n"
        "    print('caught', 'shapes' in str(e))\nprint(m(torch.ones(1, 3)).shape)"
    )
    assert run_source(source).stdout == "caught True\ntorch.Size([1, 2])\n"
    with pytest.raises(UserRuntimeError) as caught:
        run_source("m = nn.Linear(2, 2)\nm.weight = torch.ones(2, 2)")
    assert "Parameter or None expected" in caught.value.detail


def test_what_a_module_does_not_allow() -> None:
    for source in [
        "m = nn.Linear(2, 2)\nm.to(torch.float64)",
        "m = nn.Linear(2, 2)\nm.float()",
        "m = nn.Linear(2, 2)\nm.in_features = 3",
        "m = nn.Linear(2, 2)\nm.type(torch.float64)",
    ]:
        with pytest.raises(NotAllowed):
            run_source(source)
    with pytest.raises(UserRuntimeError) as caught:
        run_source("m = nn.Linear(2, 2)\nm.append(nn.ReLU())")
    assert "'Linear' object has no attribute 'append'" in caught.value.detail


def test_parameters_are_named_by_their_path_under_the_model() -> None:
    source = (
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc1 = nn.Linear(2, 3)\n        self.fc2 = nn.Linear(3, 1)\n"
        "        self.scale = nn.Parameter(torch.ones(1))\n"
        "    def forward(self, x):\n        return self.fc2(torch.tanh(self.fc1(x))) * self.scale\n"
        "net = Net()\nw = net.fc1.weight\nloss = net(torch.ones(4, 2)).sum()\n"
    )
    evaluation = run_source(source)
    names = ["net.scale", "net.fc1.weight", "net.fc1.bias", "net.fc2.weight", "net.fc2.bias"]
    assert [name for name, _ in evaluation.parameters] == names
    assert list(evaluation.gradients) == names
    weight = dict(evaluation.parameters)["net.fc1.weight"]
    assert evaluation.tensor_names[id(weight)] == "net.fc1.weight"


def test_a_name_bound_to_a_second_model_names_the_second() -> None:
    source = (
        "net = nn.Linear(1, 1)\nold = net\nnet = nn.Linear(1, 2)\ny = net(torch.ones(1, 1)).sum()\n"
    )
    evaluation = run_source(source)
    shapes = {name: tuple(p.shape) for name, p in evaluation.parameters}
    assert shapes == {
        "net.weight": (2, 1),
        "net.bias": (2,),
        "old.weight": (1, 1),
        "old.bias": (1,),
    }


def test_a_module_made_and_called_in_a_function_is_named_by_its_global() -> None:
    source = (
        "def make():\n    layer = nn.Linear(2, 1)\n    return layer\n"
        "model = make()\ny = model(torch.ones(1, 2)).sum()\n"
    )
    evaluation = run_source(source)
    assert [name for name, _ in evaluation.parameters] == ["model.weight", "model.bias"]
