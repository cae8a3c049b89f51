"""What may become a NumPy array, and the shapes of the things arrays are made from.

Before a NumPy function runs, every argument it would turn into an array is
checked here: nested lists and tuples may hold only numbers, NumPy scalars,
arrays and tensors (a string, None or a function would make an object or
string array: refused), no deeper than NumPy's own dimension limit, and
their size (the product of the nested lengths, as NumPy reads them) is known
before anything is converted. `shape_of` gives the shape any array-like
argument would have, for the size rules of app.evaluate.array_sizes, whose
common parts (`Size`, `Rule`, `arg`, `broadcast`) are at the end.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import torch

Tensor = torch.Tensor
MAX_DEPTH = 32  # nested lists deeper than this are not data (NumPy allows 64 dims)
INT_LOW, INT_HIGH = -(2**63), 2**64  # a Python int outside makes an object array
NUMERIC_KINDS = frozenset("biufc")  # bool, int, unsigned, float, complex
# Items that are numbers whatever their value (an int may be too large).
_PLAIN = frozenset({float, bool, complex, np.float64, np.float32})
_INTEGERS = frozenset({int, bool})


class Unfit(Exception):
    """An argument that must not reach NumPy: the message says why."""


def numeric(dtype: np.dtype[Any]) -> bool:
    return dtype.kind in NUMERIC_KINDS


def check_int(value: int) -> None:
    if not INT_LOW <= value < INT_HIGH:
        raise Unfit(
            "an integer beyond 64 bits cannot go into a NumPy array (it would be an object array)"
        )


def check_leaf(value: Any) -> int:
    """Elements one item of array data stands for; Unfit if it is not a number."""
    if isinstance(value, bool | float | complex):
        return 1
    if isinstance(value, int):
        check_int(value)
        return 1
    if isinstance(value, np.ndarray | np.generic):
        if not numeric(value.dtype):
            raise Unfit(f"arrays of dtype {value.dtype} are not available")
        return int(value.size)
    if isinstance(value, Tensor):
        return int(value.numel())
    if isinstance(value, str):
        raise Unfit("strings cannot be NumPy array data here (string arrays are not available)")
    if value is None:
        raise Unfit("None cannot be NumPy array data (it would make an object array)")
    raise Unfit(f"a {type(value).__name__} value cannot be NumPy array data")


def data_elements(data: Any) -> int:
    """Elements np.array(data) makes: the product of the nested lengths along the
    first items, as NumPy reads the shape (ragged data it refuses itself). A
    sequence of arrays (np.concatenate's, multi_dot's) counts each array's own
    size: they need not have one shape."""
    if isinstance(data, list | tuple) and any(_is_array(item) for item in data[:1]):
        return sum(item.numel() if isinstance(item, Tensor) else _size(item) for item in data)
    n = 1
    depth = 0
    while isinstance(data, list | tuple):
        if depth >= MAX_DEPTH:
            raise Unfit(f"the data is nested more than {MAX_DEPTH} levels deep")
        n *= len(data)
        if not data:
            return 0
        data = data[0]
        depth += 1
    if isinstance(data, np.ndarray | np.generic):
        return n * int(data.size)
    if isinstance(data, Tensor):
        return n * int(data.numel())
    return n


def _is_array(value: Any) -> bool:
    return isinstance(value, np.ndarray | np.generic | Tensor)


def _size(item: Any) -> int:
    if isinstance(item, np.ndarray | np.generic):
        return int(item.size)
    return data_elements(item) if isinstance(item, list | tuple) else 1


def check_data(data: Any, elements: int) -> None:
    """Every item of nested lists `data` is a number; `elements` (from
    data_elements, already bounded) limits the walk: rectangular data visits at
    most twice that many items, and a list that contains itself is too deep."""
    budget = 2 * max(elements, 1) + 64
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, list | tuple):
            if depth >= MAX_DEPTH:
                raise Unfit(f"the data is nested more than {MAX_DEPTH} levels deep")
            budget -= len(item) + 1
            if budget < 0:
                raise ValueError(
                    "setting an array element with a sequence: the nested lists are not rectangular"
                )
            kinds = set(map(type, item))  # a row of numbers (the common case), at C speed
            if kinds <= _PLAIN:
                continue
            if kinds <= _INTEGERS:
                check_int(min(item))
                check_int(max(item))
                continue
            stack.extend((child, depth + 1) for child in item)
        else:
            check_leaf(item)


def data_shape(data: list[Any] | tuple[Any, ...]) -> tuple[int, ...]:
    """The shape NumPy reads from nested lists (along the first items)."""
    shape: list[int] = []
    item: Any = data
    while isinstance(item, list | tuple) and len(shape) < MAX_DEPTH:
        shape.append(len(item))
        if not item:
            return tuple(shape)
        item = item[0]
    if isinstance(item, np.ndarray | np.generic):
        shape.extend(item.shape)
    elif isinstance(item, Tensor):
        shape.extend(item.shape)
    return tuple(shape)


def shape_of(value: Any) -> tuple[int, ...] | None:
    """The shape `value` has as an array, or None if it is not array-like."""
    if isinstance(value, np.ndarray | np.generic):
        return tuple(value.shape)
    if isinstance(value, Tensor):
        return tuple(value.shape)
    if isinstance(value, bool | int | float | complex):
        return ()
    if isinstance(value, list | tuple):
        return data_shape(value)
    return None


def size_of(value: Any) -> int:
    """Elements of an array-like value (0 for anything else)."""
    shape = shape_of(value)
    return 0 if shape is None else math.prod(shape)


def number(value: Any) -> float | None:
    """A real number given as a Python number, NumPy scalar, or 0-d array or tensor."""
    if isinstance(value, np.ndarray | Tensor):
        if value.ndim != 0:
            return None
        value = value.item()
    if isinstance(value, np.generic):
        if value.dtype.kind not in "biuf":
            return None
        value = value.item()
    if isinstance(value, bool | int | float):
        result = float(value)
        return result if math.isfinite(result) else None
    return None


def numbers(value: Any) -> list[float] | None:
    """A shape or list of counts: a number, or a flat sequence or 1-d array of them."""
    if isinstance(value, np.ndarray | Tensor) and value.ndim == 1:
        if value.shape[0] > 64:
            return None
        value = value.tolist()
    if isinstance(value, list | tuple):
        found = [number(v) for v in value]
        return None if any(n is None for n in found) else [n for n in found if n is not None]
    single = number(value)
    return None if single is None else [single]


HUGE = 10**30  # stands for any product too large to matter


def product(dims: list[float] | None) -> int | None:
    """Elements of a shape, each empty dimension counted as one: an array of shape
    (10**9, 0) holds nothing, but whatever walks its rows (printing them, the
    answer's nested lists) walks 10**9 of them."""
    if dims is None:
        return None
    return int(min(math.prod(max(1.0, d) if d == 0 else max(0.0, d) for d in dims), HUGE))


def capped_size(shape: tuple[int, ...]) -> int:
    """An array's size with each empty dimension counted as one (see product)."""
    return math.prod(d or 1 for d in shape)


# -- what a call makes (the rules of app.evaluate.array_sizes) ------------------
class Size(NamedTuple):
    largest: int
    total: int


def one(n: int | None) -> Size | None:
    return None if n is None else Size(n, n)


Rule = Callable[[list[Any], dict[str, Any]], Size | None]


def arg(args: list[Any], kwargs: dict[str, Any], at: int, name: str, default: Any = None) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[at] if len(args) > at else default


def broadcast(shapes: list[tuple[int, ...]]) -> int | None:
    """Elements of the broadcast of `shapes`; None if they do not broadcast."""
    try:
        return math.prod(np.broadcast_shapes(*shapes))
    except ValueError:
        return None
