"""torch.utils.data's TensorDataset and DataLoader in programs, against Python."""

from __future__ import annotations

import pytest

from app.errors import LimitExceeded, NotAllowed, VisualizerError
from app.evaluate import run_source
from app.limits import Limits
from app.parse import parse_program
from tests.evaluate.python import python_stdout

TRAIN = """
import torch
from torch.utils.data import TensorDataset, DataLoader
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(10, 3)
y = torch.randn(10, 1)
ds = TensorDataset(X, y)
print(len(ds), ds[0][1], ds.tensors[0].shape)
loader = DataLoader(ds, batch_size=4, shuffle=True)
print(len(loader), loader.batch_size, loader.drop_last)
model = nn.Linear(3, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(2):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        opt.step()
        print(epoch, xb.shape, round(loss.item(), 5))
for x0, y0 in ds:
    pass
print(x0, y0)
print(len(DataLoader(ds, 3, drop_last=True, num_workers=0)))
import torch.utils.data as data
print([b[0].shape[0] for b in data.DataLoader(ds, 6)])
"""


def test_batches_and_training_are_pythons() -> None:
    assert run_source(TRAIN).stdout == python_stdout(TRAIN)


def test_the_graph_is_the_last_batchs() -> None:
    evaluation = run_source(TRAIN)
    assert evaluation.output_name == "loss"
    assert [name for name, _ in evaluation.parameters] == ["model.weight", "model.bias"]


DS = "ds = torch.utils.data.TensorDataset(torch.ones(4, 2))\n"


@pytest.mark.parametrize(
    "source",
    [
        DS + "torch.utils.data.DataLoader(ds, collate_fn=print)",
        DS + "torch.utils.data.DataLoader(ds, sampler=[0, 1])",
        DS + "torch.utils.data.DataLoader(ds, worker_init_fn=print)",
        DS + "torch.utils.data.DataLoader(ds, generator=None)",
        DS + "torch.utils.data.DataLoader(ds, pin_memory=True)",
        "torch.utils.data.Dataset",
        "import torch.utils",
        "from torch.utils.data import random_split",
    ],
)
def test_refused_before_it_runs(source: str) -> None:
    with pytest.raises(NotAllowed):
        parse_program(source)


@pytest.mark.parametrize(
    "source",
    [
        DS + "torch.utils.data.DataLoader(ds, num_workers=2)",
        DS + "torch.utils.data.DataLoader(ds, 2, False, [0, 1])",
        "torch.utils.data.DataLoader([1, 2, 3])",
    ],
)
def test_refused_when_it_runs(source: str) -> None:
    with pytest.raises(VisualizerError) as caught:
        run_source(source)
    assert caught.value.code == "not_allowed"


def test_batches_count_toward_steps_and_elements() -> None:
    big = "ds = torch.utils.data.TensorDataset(torch.ones(100000, 5))\n"
    loop = (
        "for epoch in range(100):\n"
        "    for (b,) in torch.utils.data.DataLoader(ds, 1000):\n        pass\n"
    )
    with pytest.raises(LimitExceeded) as caught:
        run_source(big + loop, limits=Limits(total_elements=3_000_000))
    assert caught.value.limit == "total_elements"
    with pytest.raises(LimitExceeded) as caught:
        run_source(big + loop, limits=Limits(steps=500))
    assert caught.value.limit == "steps"
