"""The sizes of a layer's parameters and buffers, from its constructor's arguments.

`layer_sizes(cls, args, kwargs)` gives the element count of every tensor the
layer would make, before it is made, in a microsecond. The alternative,
making the layer on the "meta" device first, is exact for any layer but
costs up to two seconds the first time a process makes some of them
(Embedding's normal_ loads torch's Python meta kernels); it remains the
fallback where no rule applies (None). Arguments torch would refuse are not
judged here (a rule gives None or a size; torch then says what is wrong).
tests/evaluate/test_layer_sizes.py holds each rule to the meta layer.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

from torch import nn

Sizes = list[int]


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return max(0, value)
    return None


def _ints(value: Any) -> list[int] | None:
    items = list(value) if isinstance(value, list | tuple) else [value]
    numbers = [_int(v) for v in items]
    return None if any(n is None for n in numbers) else [n for n in numbers if n is not None]


def _linear(a: dict[str, Any]) -> Sizes | None:
    n_in, n_out = _int(a["in_features"]), _int(a["out_features"])
    if n_in is None or n_out is None:
        return None
    return [n_in * n_out, n_out if a["bias"] else 0]


def _bilinear(a: dict[str, Any]) -> Sizes | None:
    sizes = [_int(a[k]) for k in ("in1_features", "in2_features", "out_features")]
    if any(s is None for s in sizes):
        return None
    one, two, out = (s or 0 for s in sizes)
    return [out * one * two, out if a["bias"] else 0]


def _conv(dims: int) -> Callable[[dict[str, Any]], Sizes | None]:
    def rule(a: dict[str, Any]) -> Sizes | None:
        n_in, n_out, groups = (_int(a[k]) for k in ("in_channels", "out_channels", "groups"))
        kernel = _ints(a["kernel_size"])
        if n_in is None or n_out is None or not groups or kernel is None:
            return None
        if len(kernel) == 1:
            kernel = kernel * dims  # Conv2d(1, 2, 3): a 3 x 3 kernel
        return [n_out * (n_in // groups) * math.prod(kernel), n_out if a["bias"] else 0]

    return rule


def _batch_norm(a: dict[str, Any]) -> Sizes | None:
    n = _int(a["num_features"])
    if n is None:
        return None
    affine = [n, n if a["bias"] else 0] if a["affine"] else []
    running = [n, n, 1] if a["track_running_stats"] else []
    return affine + running


def _layer_norm(a: dict[str, Any]) -> Sizes | None:
    shape = _ints(a["normalized_shape"])
    if shape is None:
        return None
    n = math.prod(shape)
    return [n, n if a["bias"] else 0] if a["elementwise_affine"] else []


def _embedding(a: dict[str, Any]) -> Sizes | None:
    rows, width = _int(a["num_embeddings"]), _int(a["embedding_dim"])
    return None if rows is None or width is None else [rows * width]


def _prelu(a: dict[str, Any]) -> Sizes | None:
    n = _int(a["num_parameters"])
    return None if n is None else [n]


_RULES: dict[type, Callable[[dict[str, Any]], Sizes | None]] = {
    nn.Linear: _linear,
    nn.Bilinear: _bilinear,
    nn.Conv1d: _conv(1),
    nn.Conv2d: _conv(2),
    nn.BatchNorm1d: _batch_norm,
    nn.BatchNorm2d: _batch_norm,
    nn.LayerNorm: _layer_norm,
    nn.Embedding: _embedding,
    nn.PReLU: _prelu,
}

# nn.RNN, LSTM and GRU take *args: their parameters in order (RNNBase's,
# with RNN's nonlinearity fourth), and the gates of each.
_RNN_ORDER = {
    nn.RNN: "input_size hidden_size num_layers nonlinearity bias batch_first dropout bidirectional",
    nn.LSTM: "input_size hidden_size num_layers bias batch_first dropout bidirectional proj_size",
    nn.GRU: "input_size hidden_size num_layers bias batch_first dropout bidirectional",
}
_GATES = {nn.RNN: 1, nn.LSTM: 4, nn.GRU: 3}


def _rnn(cls: type, args: list[Any], kwargs: dict[str, Any]) -> Sizes | None:
    names = _RNN_ORDER[cls].split()
    if len(args) > len(names):
        return None
    given = {**dict(zip(names, args, strict=False)), **kwargs}
    size_in, hidden = _int(given.get("input_size")), _int(given.get("hidden_size"))
    layers, proj = _int(given.get("num_layers", 1)), _int(given.get("proj_size", 0))
    if size_in is None or hidden is None or layers is None or proj is None:
        return None
    gates = _GATES[cls] * hidden
    width = proj or hidden  # what a layer hands on
    directions = 2 if given.get("bidirectional", False) else 1
    bias = bool(given.get("bias", True))
    sizes: Sizes = []
    for layer in range(layers):
        layer_in = size_in if layer == 0 else width * directions
        for _ in range(directions):
            sizes += [gates * layer_in, gates * width]
            sizes += [gates, gates] if bias else []
            sizes += [width * hidden] if proj else []
    return sizes


def layer_sizes(cls: Any, args: list[Any], kwargs: dict[str, Any]) -> Sizes | None:
    """Elements of each tensor `cls(*args, **kwargs)` would make; None: no rule."""
    if cls in _GATES:
        return _rnn(cls, args, kwargs)
    rule = _RULES.get(cls)
    if rule is None:
        return None
    try:
        bound = inspect.signature(cls).bind(*args, **kwargs)
    except TypeError:
        return None  # torch says what is wrong
    bound.apply_defaults()
    return rule(bound.arguments)
