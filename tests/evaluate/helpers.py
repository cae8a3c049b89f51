"""Small helpers the evaluate tests share."""

from __future__ import annotations

from collections import Counter
from typing import Any

import torch

from app.evaluate.backward import reachable


def op_labels(output: Any) -> dict[str, int]:
    """Class names of the autograd nodes reachable from the output's grad_fn,
    as torchviz.make_dot walks them (through next_functions, each node once)."""
    if not isinstance(output, torch.Tensor) or output.grad_fn is None:
        return {}
    return dict(Counter(type(node).__name__ for node in reachable(output.grad_fn)))


def close(actual: Any, expected: Any, rtol: float = 1e-5) -> bool:
    """Values equal within a relative tolerance, for tensors, numbers or nested lists."""
    if isinstance(actual, torch.Tensor):
        actual = actual.detach().tolist()
    got = torch.tensor(actual, dtype=torch.float64)
    want = torch.tensor(expected, dtype=torch.float64)
    return got.shape == want.shape and bool(
        torch.allclose(got, want, rtol=rtol, atol=1e-7, equal_nan=True)
    )
