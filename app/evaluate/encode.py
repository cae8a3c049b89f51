"""Tensors, NumPy arrays and Python values as JSON-safe data.

Floats keep the shortest decimal that reads back to the same float32 (or
float64) value, so the JSON says `5.1232266`, not `5.123226642608643`.
Non-finite numbers become the strings "inf", "-inf" and "nan": every answer
is valid JSON. Tensors above `FULL_ELEMENTS` elements are summarised. A
NumPy array or scalar is written as a tensor of its dtype is, with NumPy's
name for the dtype.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

FULL_ELEMENTS = 1_000  # tensors up to this size are sent whole
HEAD_ELEMENTS = 100  # a larger tensor sends its first elements and a summary

JSONNumber = float | int | bool | str


def json_number(x: float | int | bool) -> JSONNumber:
    """A number as JSON can carry it: non-finite floats become strings."""
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def _floats(array: np.ndarray[Any, Any]) -> list[JSONNumber]:
    # numpy's str() of a float32 is the shortest text that round-trips.
    if array.size <= _SMALL:
        # str() of each numpy scalar is the text astype(str) gives, without
        # the array conversion's fixed cost.
        return [json_number(float(str(x))) for x in array.ravel()]
    return [json_number(float(text)) for text in array.astype(str).ravel()]


_SMALL = 8


def _flat_numbers(t: torch.Tensor) -> list[JSONNumber]:
    t = t.detach()
    if not t.is_cpu:
        t = t.cpu()
    if t.is_complex():
        return [str(complex(z)) for z in t.reshape(-1).tolist()]
    if t.is_floating_point():
        if t.dtype not in (torch.float32, torch.float64):
            t = t.to(torch.float32)
        return _floats(t.numpy())
    flat: list[JSONNumber] = t.reshape(-1).tolist()
    return flat


def _scalar(t: torch.Tensor) -> JSONNumber | None:
    """A one-element float32 or float64 tensor's number, the quick way (the
    graph stage encodes a dozen per small graph); None for anything else."""
    dtype = t.dtype
    if dtype is torch.float32:
        # The float32's shortest text, read back: what _floats gives.
        return json_number(float(str(np.float32(t.item()))))
    if dtype is torch.float64:
        return json_number(t.item())  # a float64 is its own shortest text
    return None


def _nest(flat: list[JSONNumber], shape: tuple[int, ...]) -> Any:
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return flat
    step = len(flat) // shape[0] if shape[0] else 0
    return [_nest(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def encode_tensor(t: torch.Tensor) -> dict[str, Any]:
    """`{"value", "shape", "dtype"}`, plus a summary when the tensor is large."""
    if t._is_zerotensor():
        # autograd's stand-in for a gradient known to be zero (torch.sgn's),
        # which numpy() refuses: the zeros it stands for.
        t = torch.zeros(t.shape, dtype=t.dtype)
    shape = tuple(t.shape)
    out: dict[str, Any] = {"shape": list(shape), "dtype": dtype_name(t.dtype)}
    numel = t.numel()
    if numel == 1 and t.is_cpu:
        number = _scalar(t)
        if number is not None:
            out["value"] = number if not shape else _nest([number], shape)
            return out
    if numel <= FULL_ELEMENTS:
        out["value"] = _nest(_flat_numbers(t), shape)
        return out
    flat = t.detach().reshape(-1)
    out["value"] = _flat_numbers(flat[:HEAD_ELEMENTS])
    out["truncated"] = True
    if not t.is_complex():
        as_float = flat.to(torch.float64)
        out["min"] = json_number(float(as_float.min()))
        out["max"] = json_number(float(as_float.max()))
        out["mean"] = json_number(float(as_float.mean()))
    return out


def encode_array(value: np.ndarray[Any, Any] | np.generic) -> dict[str, Any]:
    """An ndarray or NumPy scalar as `{"value", "shape", "dtype"}`, as a tensor is."""
    array = np.asarray(value)
    if any(stride < 0 for stride in array.strides):
        array = array.copy()  # torch.from_numpy takes no negative strides
    out = encode_tensor(torch.from_numpy(array))
    out["dtype"] = array.dtype.name
    return out


# Items a plain value's answer holds in all: a list may hold one list many
# times over (`l = [l] * 1000`, three deep is 10**9 numbers), which the
# program's own limits never see, since it made only 3,000 items.
PLAIN_ITEMS = 10 * FULL_ELEMENTS


def encode_value(value: Any) -> dict[str, Any]:
    """Any value a program can produce, as `{"value", "shape", "dtype"}`."""
    if isinstance(value, torch.Tensor):
        return encode_tensor(value)
    if isinstance(value, np.ndarray | np.generic):
        return encode_array(value)
    return {"value": encode_plain(value), "shape": None, "dtype": _plain_type(value)}


def encode_plain(value: Any, depth: int = 0, budget: list[int] | None = None) -> Any:
    """Python numbers, strings and containers; anything else as its type name.
    Past PLAIN_ITEMS items in all, or 16 levels deep, the rest is "..."."""
    if budget is None:
        budget = [PLAIN_ITEMS]
    if depth > 16 or budget[0] <= 0:
        return "..."
    budget[0] -= 1
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return json_number(value)
    if isinstance(value, complex):
        return str(value)  # as a complex tensor's elements are written
    if isinstance(value, torch.Tensor):
        budget[0] -= min(value.numel(), FULL_ELEMENTS)
        return encode_tensor(value)["value"]
    if isinstance(value, np.ndarray | np.generic):
        budget[0] -= min(value.size, FULL_ELEMENTS)
        return encode_array(value)["value"]
    if isinstance(value, list | tuple):
        return [encode_plain(v, depth + 1, budget) for v in value[:FULL_ELEMENTS]]
    if isinstance(value, dict):
        items = list(value.items())[:FULL_ELEMENTS]
        return {str(k): encode_plain(v, depth + 1, budget) for k, v in items}
    return f"<{type(value).__name__}>"


def _plain_type(value: Any) -> str | None:
    if value is None:
        return None
    return type(value).__name__
