"""Result sizes read from the values, before the call that would make them.

`nonzero`, `bincount`, `repeat_interleave` with a tensor of counts and the
like make a result whose size depends on what the tensors hold; torch
cannot shape them on meta tensors. Reading what decides the size (a count,
a maximum, a sum) costs one pass over the input, and the result is never
made when it would be too large. Also here: `combinations` (its size is a
binomial coefficient), `histogram` (its bins) and `cov` (rows squared),
which have no meta kernel either. Each rule returns the number of elements
the call would make, or None when it cannot tell (app.evaluate.guards then
asks torch on meta tensors).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from app.evaluate.sizes import Rule, number

Tensor = torch.Tensor


def _combinations(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    x = args[0] if args else kwargs.get("input")
    if not isinstance(x, Tensor):
        return None
    r = number(kwargs.get("r", args[1] if len(args) > 1 else 2))
    replace = bool(kwargs.get("with_replacement", args[2] if len(args) > 2 else False))
    if r is None or r < 0:
        return None
    n, k = x.numel(), int(r)
    count = math.comb(n + k - 1, k) if replace else math.comb(n, k)
    return count * max(1, k)


def _nonzero(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    x = args[0] if args else kwargs.get("input")
    if not isinstance(x, Tensor):
        return None
    return int(torch.count_nonzero(x.detach())) * max(1, x.dim())


def _bincount(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    x = args[0] if args else kwargs.get("input")
    if not isinstance(x, Tensor) or x.dim() != 1 or x.is_floating_point() or x.is_complex():
        return None
    minlength = number(kwargs.get("minlength", args[2] if len(args) > 2 else 0)) or 0.0
    largest = float(x.max()) + 1 if x.numel() else 0.0
    return int(max(largest, minlength, 0.0))


def _repeat_interleave(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    x = args[0] if args else kwargs.get("input")
    repeats = kwargs.get("repeats", args[1] if len(args) > 1 else None)
    if not isinstance(x, Tensor):
        return None
    if repeats is None:  # torch.repeat_interleave(counts): the counts' sum
        repeats, x = x, torch.ones(())
    if isinstance(repeats, Tensor):
        if repeats.is_floating_point() or repeats.is_complex() or repeats.numel() == 0:
            return 0
        if repeats.numel() == 1:
            return int(x.numel() * max(0, int(repeats.reshape(-1)[0])))
        dim = kwargs.get("dim", args[2] if len(args) > 2 else None)
        rest = x.numel() // max(1, x.shape[dim]) if isinstance(dim, int) and x.dim() else 1
        return int(repeats.detach().clamp(min=0).sum()) * rest
    count = number(repeats)
    return None if count is None else int(x.numel() * max(0.0, count))


def _cov(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    x = args[0] if args else kwargs.get("input")
    if not isinstance(x, Tensor):
        return None
    variables = x.shape[0] if x.dim() == 2 else 1  # rows are variables: variables squared
    return int(variables * variables)


def _histogram(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    bins = kwargs.get("bins", args[1] if len(args) > 1 else 100)
    if isinstance(bins, Tensor):
        return bins.numel()
    count = number(bins)
    return None if count is None else int(max(0.0, count)) + 1


RULES: dict[str, Rule] = {
    "combinations": _combinations,
    "nonzero": _nonzero,
    "argwhere": _nonzero,
    "bincount": _bincount,
    "repeat_interleave": _repeat_interleave,
    "histogram": _histogram,
    "cov": _cov,
    "corrcoef": _cov,
}
