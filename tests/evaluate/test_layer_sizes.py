"""Each layer-size rule (app.evaluate.layer_sizes) against the layer torch makes on "meta"."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

from app.evaluate.layer_sizes import layer_sizes

CASES: list[tuple[type, tuple[Any, ...], dict[str, Any]]] = [
    (nn.Linear, (3, 4), {}),
    (nn.Linear, (3, 4), {"bias": False}),
    (nn.Linear, (1, 7), {}),
    (nn.Bilinear, (2, 3, 4), {}),
    (nn.Bilinear, (2, 3, 4, False), {}),
    (nn.Conv1d, (2, 6, 3), {"groups": 2}),
    (nn.Conv2d, (3, 4, (2, 5)), {"bias": False, "padding": 7}),
    (nn.Conv2d, (1, 2, 3), {"stride": 2, "dilation": 2}),
    (nn.BatchNorm1d, (5,), {}),
    (nn.BatchNorm2d, (5,), {"affine": False}),
    (nn.BatchNorm1d, (5,), {"track_running_stats": False, "bias": False}),
    (nn.LayerNorm, ((2, 3),), {}),
    (nn.LayerNorm, (4,), {"elementwise_affine": False}),
    (nn.LayerNorm, ([4, 2],), {"bias": False}),
    (nn.Embedding, (10, 3), {"padding_idx": 0}),
    (nn.PReLU, (), {}),
    (nn.PReLU, (6,), {}),
    (nn.RNN, (3, 4), {}),
    (nn.RNN, (3, 4, 2, "relu", False), {}),
    (nn.RNN, (3, 4), {"num_layers": 3, "bidirectional": True}),
    (nn.LSTM, (3, 5), {"num_layers": 2, "proj_size": 2}),
    (nn.LSTM, (3, 5, 2, True, True, 0.0, True), {}),
    (nn.GRU, (2, 3), {"bias": False, "bidirectional": True, "num_layers": 2}),
]


@pytest.mark.parametrize(("cls", "args", "kwargs"), CASES)
def test_rule_is_the_meta_layer(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    meta = cls(*args, **kwargs, device="meta")
    made = [t.numel() for t in (*meta.parameters(), *meta.buffers())]
    sizes = layer_sizes(cls, list(args), kwargs)
    assert sizes is not None
    assert sorted(s for s in sizes if s) == sorted(n for n in made if n)


def test_arguments_torch_refuses_are_left_to_torch() -> None:
    assert layer_sizes(nn.Linear, ["3", 4], {}) is None
    assert layer_sizes(nn.Linear, [3], {}) is None  # torch's TypeError says what is missing
    assert layer_sizes(nn.LSTM, [torch.tensor(3), 4], {}) is None
    assert layer_sizes(nn.Linear, [-5, 3], {}) == [0, 3]  # torch refuses it itself


def test_no_rule_for_other_classes() -> None:
    assert layer_sizes(nn.Tanh, [], {}) is None
