"""torch.optim in programs: each optimizer's parameters after a few steps against
torch run directly, closures, param_groups, schedulers, limits and refusals."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from app.errors import LimitExceeded, NotAllowed, VisualizerError
from app.evaluate import Session, run_source
from app.limits import Limits
from app.parse import parse_program
from tests.evaluate.python import python_stdout

TRAIN = """
import torch
import torch.nn as nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
opt = {optimizer}
x = torch.randn(8, 3)
t = torch.randn(8, 2)
for step in range(6):
    opt.zero_grad()
    loss = ((model(x) - t) ** 2).mean()
    loss.backward()
    opt.step()
"""

OPTIMIZERS = [
    "torch.optim.SGD(model.parameters(), lr=0.1)",
    "torch.optim.SGD(model.parameters(), 0.05, 0.9)",
    "torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, dampening=0.1)",
    "torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)",
    "torch.optim.SGD(model.parameters(), lr=0.05, maximize=True)",
    "torch.optim.Adam(model.parameters(), lr=0.01)",
    "torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.9), amsgrad=True)",
    "torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.1)",
    "torch.optim.RMSprop(model.parameters(), lr=0.01)",
    "torch.optim.RMSprop(model.parameters(), lr=0.01, momentum=0.5, centered=True)",
    "torch.optim.Adagrad(model.parameters(), lr=0.1, lr_decay=0.01, weight_decay=0.001)",
    "torch.optim.SGD([{'params': model[0].parameters(), 'lr': 0.2},"
    " {'params': model[2].parameters()}], lr=0.01, momentum=0.5)",
]


def _reference(source: str) -> dict[str, Any]:
    names: dict[str, Any] = {"__name__": "__main__"}
    torch.manual_seed(0)
    exec(source, names)  # the reference: real torch, this test's own text
    return names


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_parameters_after_steps_are_torchs(optimizer: str) -> None:
    source = TRAIN.format(optimizer=optimizer)
    session = Session(parse_program(source))
    with session.running():
        session.run()
    ours, theirs = session.get("model"), _reference(source)["model"]
    for (name, mine), (_, reference) in zip(
        ours.named_parameters(), theirs.named_parameters(), strict=True
    ):
        assert torch.equal(mine, reference), name
        assert torch.equal(mine.grad, reference.grad), name
    assert torch.equal(session.get("loss"), _reference(source)["loss"])


PRINTED = """
import torch
import torch.nn as nn
from torch.optim.lr_scheduler import StepLR
import torch.optim as optim
torch.manual_seed(0)
w = torch.tensor([1.0, -2.0], requires_grad=True)
opt = optim.SGD([w], lr=0.5, momentum=0.9)
print(opt)
schedulers = [
    StepLR(opt, step_size=2, gamma=0.5),
    torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
]
def closure():
    opt.zero_grad()
    loss = (w ** 2).sum()
    loss.backward()
    return loss
for epoch in range(5):
    loss = opt.step(closure)
    for s in schedulers:
        s.step()
    print(epoch, round(loss.item(), 4), schedulers[0].get_last_lr(), schedulers[0].last_epoch)
print(w)
for group in opt.param_groups:
    group['lr'] = 0.01
    print(list(group.keys()), group['momentum'])
opt.step(closure=closure)
print(w, opt.param_groups[0]['lr'])
v = torch.ones(3, requires_grad=True)
adam = torch.optim.Adam([v], lr=1.0)
cos = torch.optim.lr_scheduler.CosineAnnealingLR(adam, T_max=4, eta_min=0.1)
for i in range(6):
    adam.step()
    cos.step()
    print([round(lr, 4) for lr in cos.get_last_lr()], cos.base_lrs)
"""


def test_prints_what_torch_prints() -> None:
    assert run_source(PRINTED).stdout == python_stdout(PRINTED)


def test_the_real_code_programs() -> None:
    # xor-net-sgd and polynomial-adam run in full in tests/evaluate/test_real_code.py;
    # here, a closure that raises is the program's to catch, as in Python.
    source = (
        "w = torch.ones(2, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\n"
        "def closure():\n    return w[5]\ntry:\n    opt.step(closure)\n"
        "except IndexError as e:\n    print('caught', e)\n"
    )
    assert run_source(source).stdout.startswith("caught index 5 is out of bounds")


def test_a_limit_in_the_closure_ends_the_program() -> None:
    source = (
        "w = torch.ones(2, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\n"
        "def closure():\n    return torch.ones(10**9)\ntry:\n    opt.step(closure)\n"
        "except Exception:\n    print('caught')\n"
    )
    with pytest.raises(LimitExceeded) as caught:
        run_source(source)
    assert (caught.value.limit, caught.value.line) == ("tensor_elements", 4)


def test_the_optimizers_state_counts_toward_the_elements() -> None:
    source = (
        "w = torch.zeros(300000, requires_grad=True)\nopt = torch.optim.Adam([w])\n"
        "(w * w).sum().backward()\nopt.step()\n"
    )
    run_source(source, limits=Limits(total_elements=1_300_000))
    with pytest.raises(LimitExceeded) as caught:
        run_source(source, limits=Limits(total_elements=1_100_000))
    assert (caught.value.limit, caught.value.line) == ("total_elements", 4)


def test_training_steps_count_toward_the_steps() -> None:
    source = TRAIN.format(optimizer="torch.optim.SGD(model.parameters(), lr=0.1)")
    with pytest.raises(LimitExceeded) as caught:
        run_source(source.replace("range(6)", "range(10**6)"), limits=Limits(steps=2_000))
    assert caught.value.limit == "steps"


@pytest.mark.parametrize(
    "source",
    [
        "w = torch.ones(1, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\nopt.state",
        "w = torch.ones(1, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\nopt.defaults",
        "w = torch.ones(1, requires_grad=True)\nopt = torch.optim.SGD([w])\nopt.state_dict()",
        "w = torch.ones(1, requires_grad=True)\ntorch.optim.SGD([w], lr=0.1, foreach=True)",
        "w = torch.ones(1, requires_grad=True)\ntorch.optim.Adam([w], differentiable=True)",
        "w = torch.ones(1, requires_grad=True)\ntorch.optim.LBFGS([w])",
        "w = torch.ones(1, requires_grad=True)\nopt = torch.optim.SGD([w])\n"
        "opt.add_param_group({'params': []})",
        "w = torch.ones(1, requires_grad=True)\nopt = torch.optim.SGD([w])\n"
        "opt.register_step_pre_hook(print)",
        "w = torch.ones(1, requires_grad=True)\nopt = torch.optim.SGD([w])\n"
        "torch.optim.lr_scheduler.LambdaLR(opt, print)",
    ],
)
def test_refused_before_it_runs(source: str) -> None:
    with pytest.raises(NotAllowed):
        parse_program(source)


@pytest.mark.parametrize(
    "source",
    [
        "w = torch.ones(1, requires_grad=True)\n"
        "torch.optim.RMSprop([w], 0.01, 0.99, 1e-08, 0, 0, False, True)",
        "w = torch.ones(1, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\n"
        "s = torch.optim.lr_scheduler.StepLR(opt, 2)\ns.step(3)",
        "w = torch.ones(1, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\n"
        "s = torch.optim.lr_scheduler.StepLR(opt, 2)\ns.optimizer",
    ],
)
def test_refused_when_it_runs(source: str) -> None:
    with pytest.raises(VisualizerError) as caught:
        run_source(source)
    assert caught.value.code == "not_allowed"
