"""Tensors and Python values as JSON-safe data.

Floats keep the shortest decimal that reads back to the same float32 (or
float64) value, so the JSON says `5.1232266`, not `5.123226642608643`.
Non-finite numbers become the strings "inf", "-inf" and "nan": every answer
is valid JSON. Tensors above `FULL_ELEMENTS` elements are summarised, and
so are empty ones whose value would nest more than FULL_ELEMENTS empty lists.

Given a `Budget` (app/budget.py), every encoder takes the bytes it writes
from it and summarises what does not fit: the answer's byte limit is kept
here, where values are written. Strings are cut at TEXT_CHARS, dict keys at
LABEL_CHARS, with a marker; lists, tuples and dicts after FULL_ELEMENTS
items, with "..." (each cut marks the value "truncated", with a warning).
A library whose values need their own writing registers a writer in
WRITERS (the budget module's docstring says how).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from app.budget import LABEL_CHARS, TEXT_CHARS, Budget, cut, json_size, megabytes
from app.evaluate.kinds import type_name

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


def _empty_lists(shape: tuple[int, ...]) -> int:
    """Lists an empty tensor's value nests: a (3000, 3000, 0) tensor is 9 M empty lists."""
    lists, width = 0, 1
    for n in shape[:-1]:
        lists += width
        width *= n
        if not width:
            break
    return lists + width


def encode_tensor(t: torch.Tensor, budget: Budget | None = None) -> dict[str, Any]:
    """`{"value", "shape", "dtype"}`, plus a summary when the tensor is large.

    With a `budget`, the encoding's bytes are taken from it; one that does
    not fit is summarised (its first elements), or at last its shape alone,
    `"truncated": true` either way."""
    out = _encode_tensor(t)
    if budget is None or budget.take(json_size(out)):
        return out
    if not out.get("truncated") and t.numel() > HEAD_ELEMENTS:
        summary = _encode_tensor(t, HEAD_ELEMENTS)  # below its size: the summary
        if budget.take(json_size(summary)):
            budget.note(SUMMARISED.format(limit=megabytes(budget.whole)))
            return summary
    bare = {"shape": out["shape"], "dtype": out["dtype"], "value": [], "truncated": True}
    budget.take(json_size(bare))  # a few bytes: if not, the answer's reserve holds them
    budget.note(SUMMARISED.format(limit=megabytes(budget.whole)))
    return bare


SUMMARISED = (
    "Values that did not fit in the answer's limit of {limit} are summarised "
    '(their shape and first elements, marked "truncated").'
)


def _encode_tensor(t: torch.Tensor, full: int = FULL_ELEMENTS) -> dict[str, Any]:
    if t._is_zerotensor():
        # autograd's stand-in for a gradient known to be zero (torch.sgn's),
        # which numpy() refuses: the zeros it stands for.
        t = torch.zeros(t.shape, dtype=t.dtype)
    shape = tuple(t.shape)
    out: dict[str, Any] = {"shape": list(shape), "dtype": dtype_name(t.dtype)}
    numel = t.numel()
    if numel == 0:
        # Nothing to write but nested empty lists, which may be many: past
        # FULL_ELEMENTS of them, the shape says it all.
        if _empty_lists(shape) <= FULL_ELEMENTS:
            out["value"] = _nest([], shape) if shape else []
        else:
            out["value"] = []
            out["truncated"] = True
        return out
    if numel == 1 and t.is_cpu:
        number = _scalar(t)
        if number is not None:
            out["value"] = number if not shape else _nest([number], shape)
            return out
    if numel <= full:
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


def tensor_value(t: torch.Tensor | None, budget: Budget | None = None) -> Any:
    """encode_tensor's value, when the tensor is small enough to send whole
    (at most FULL_ELEMENTS) and, with a `budget`, fits in it; else None."""
    if t is None or t.numel() > FULL_ELEMENTS:
        return None
    value = _encode_tensor(t).get("value")
    if budget is not None and not budget.take(json_size(value) + 1):
        return None
    return value


# Items a plain value's answer holds in all: a list may hold one list many
# times over (`l = [l] * 1000`, three deep is 10**9 numbers), which the
# program's own limits never see, since it made only 3,000 items.
PLAIN_ITEMS = 10 * FULL_ELEMENTS
DEPTH = 16

# Writers of the values a library brings (an ndarray, a module's table):
# the nearest class of the value's type in its MRO decides. A writer gives
# encode_value's document ({"value", "shape", "dtype", ...}) and takes the
# bytes of what it writes from the budget, when there is one
# (app/budget.py says how).
Writer = Callable[[Any, "Budget | None"], dict[str, Any]]
WRITERS: dict[type, Writer] = {}


def encode_value(value: Any, budget: Budget | None = None) -> dict[str, Any]:
    """Any value a program can produce, as `{"value", "shape", "dtype"}`;
    `"truncated": true` when the budget (or PLAIN_ITEMS) cut it short."""
    if isinstance(value, torch.Tensor):
        return encode_tensor(value, budget)
    writer = _writer(value)
    if writer is not None:
        return writer(value, budget)
    plain = _Plain(budget)
    out = {"value": plain.encode(value, 0), "shape": None, "dtype": _plain_type(value)}
    if plain.cut or plain.long:
        out["truncated"] = True
    if budget is not None and plain.spent:
        budget.note(SUMMARISED.format(limit=megabytes(budget.whole)))
    elif budget is not None and plain.cut:
        budget.note(
            f"The value is cut after {PLAIN_ITEMS:,} items or {DEPTH} levels of nesting, "
            'where it says "..." (marked "truncated").'
        )
    if budget is not None and plain.long:
        budget.note(LONG)
    return out


LONG = (
    f"Lists, tuples and dicts longer than {FULL_ELEMENTS:,} items are sent with their "
    f'first {FULL_ELEMENTS:,}, then "..." (marked "truncated").'
)


def _writer(value: Any) -> Writer | None:
    return next((WRITERS[c] for c in type(value).__mro__ if c in WRITERS), None)


def encode_plain(value: Any, budget: Budget | None = None) -> Any:
    """Python numbers, strings and containers; anything else as its type name.
    Past FULL_ELEMENTS items of one container, PLAIN_ITEMS items in all,
    DEPTH levels deep or the budget, the rest of a container is "...";
    strings are cut at TEXT_CHARS."""
    return _Plain(budget).encode(value, 0)


class _Plain:
    """One walk of a plain value, counting every occurrence of every item."""

    def __init__(self, budget: Budget | None) -> None:
        self.items = PLAIN_ITEMS
        self.budget = budget
        self.cut = False  # something is "...": past PLAIN_ITEMS, DEPTH or the budget
        self.spent = False  # the budget ran out: write nothing more
        self.long = False  # a container had more than FULL_ELEMENTS items

    def spend(self, n: int) -> bool:
        if self.budget is None or self.budget.take(n):
            return True
        self.cut = self.spent = True
        return False

    def encode(self, value: Any, depth: int) -> Any:
        if depth > DEPTH or self.items <= 0:
            self.cut = True
            return "..."
        self.items -= 1
        if isinstance(value, list | tuple):
            return self.sequence(value, depth)
        if isinstance(value, dict):
            return self.mapping(value, depth)
        writer = None if isinstance(value, torch.Tensor) else _writer(value)
        if isinstance(value, torch.Tensor) or writer is not None:
            # A tensor, or a library's value (an ndarray in a list), as it is alone.
            size = value.numel() if isinstance(value, torch.Tensor) else getattr(value, "size", 1)
            self.items -= min(int(size), FULL_ELEMENTS)
            if writer is None:
                encoded = encode_tensor(value, self.budget)
            else:
                encoded = writer(value, self.budget)
            if self.budget is not None and self.budget.short and encoded.get("truncated"):
                self.cut = self.spent = True  # summarised to fit: nothing more fits
            return encoded["value"]
        leaf = _leaf(value)
        return leaf if self.spend(json_size(leaf) + 1) else "..."

    def sequence(self, value: list[Any] | tuple[Any, ...], depth: int) -> list[Any]:
        out: list[Any] = []
        if not self.spend(2):
            return out
        for item in value[:FULL_ELEMENTS]:
            if self.spent:
                out.append("...")
                return out
            out.append(self.encode(item, depth + 1))
        if len(value) > FULL_ELEMENTS:
            self.long = True
            out.append("...")  # the answer's reserve holds these few bytes
        return out

    def mapping(self, value: dict[Any, Any], depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if not self.spend(2):
            return out
        for k, v in list(value.items())[:FULL_ELEMENTS]:
            key = _key(k)
            if self.spent or not self.spend(json_size(key) + 1):
                out[key] = "..."
                return out
            out[key] = self.encode(v, depth + 1)
        if len(value) > FULL_ELEMENTS:
            self.long = True
            out.setdefault("...", "...")
        return out


def _leaf(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return cut(value, TEXT_CHARS)
    if isinstance(value, float):
        return json_number(value)
    if isinstance(value, complex):
        return str(value)  # as a complex tensor's elements are written
    return f"<{type_name(value)}>"


def _key(key: Any) -> str:
    """A dict key as JSON's object keys are: text, cut at LABEL_CHARS."""
    if isinstance(key, torch.Tensor) and key.numel() > HEAD_ELEMENTS:
        return f"<tensor of shape {list(key.shape)}>"  # its str() may be long to make
    return cut(str(key), LABEL_CHARS)


def _plain_type(value: Any) -> str | None:
    if value is None:
        return None
    return type_name(value)
