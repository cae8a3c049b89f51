"""What printing or comparing a value would make, known before it is made.

The guards (app.evaluate.guards) ask these before Python's own protocol does
the work, so a limit is refused before the allocation it bounds:

- `text_bounds(value)`: at least and at most how many characters str(),
  repr() or format() of one value makes. A tensor's text is worked out from
  its shape, dtype and torch's print options (a tensor of more than
  `threshold` elements shows `2 * edgeitems` entries a dimension): a 6-d
  tensor of 6**6 zeros is 46,656 entries, 298,592 characters, although it
  is "summarised". Where the two bounds straddle a limit, `text_length`
  makes the text and measures it: the lower bound being under the limit,
  that costs at most a few tens of thousands of entries.
- `array_shapes(values)`: the shapes of the tensors (and arrays) that
  Python's comparisons would meet in the values (through lists, tuples and
  dicts, each container once), and the nested lengths of the lists that
  torch would turn into tensors to compare with them. `broadcast_bound` is
  the product of their largest dimensions, right-aligned: no pairwise
  comparison among them (==, <, in, count, index, max, min) can broadcast
  to more.

A library's values answer through their ValueKind (app.evaluate.kinds):
`array_shape(value)` for values that compare element by element (an
ndarray), `text_bounds(value)` for a value whose text grows with it (an
ndarray, a module that prints its submodules). Anything else counts as
OTHER_TEXT characters at most.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import torch
from torch._tensor_str import PRINT_OPTS

from app.evaluate.kinds import kind_of
from app.evaluate.values import BoundMethod, ExceptionValue

Tensor = torch.Tensor
Shape = tuple[int, ...]
OTHER_TEXT = 200  # a value of no known kind: `<function f>`, `<torch.no_grad>`
_SUFFIX = 120  # `, requires_grad=True`, `, grad_fn=<...Backward0>`, `, dtype=...`


def _width(dtype: torch.dtype) -> int:
    """The widest an element of `dtype` prints, with its sign."""
    if dtype is torch.bool:
        return 5
    if dtype.is_complex:
        return 35
    if dtype.is_floating_point:
        # Scientific (-1.2346e+10) or fixed: up to 8 integer digits, a point
        # and `precision` decimals, signed.
        return max(11, 10 + PRINT_OPTS.precision)
    return len(str(torch.iinfo(dtype).min))


def tensor_text_bounds(t: Tensor) -> tuple[int, int]:
    """At least and at most the characters str(t) makes."""
    shape = tuple(t.shape)
    numel = t.numel()
    if numel == 0 or not shape:
        return 0, _SUFFIX + 40 + 12 * len(shape) + _width(t.dtype)
    if numel > PRINT_OPTS.threshold:
        shown = [min(n, 2 * PRINT_OPTS.edgeitems) for n in shape]
    else:
        shown = list(shape)
    entries = math.prod(shown)
    rows = entries // shown[-1]
    low = 2 * entries - rows
    # Each row: its indent (`tensor(` and a bracket a dimension), brackets,
    # `...` where dimensions are cut, and up to a line break a dimension.
    per_row = 7 + 4 * len(shape) + 5
    high = entries * (_width(t.dtype) + 2) + rows * per_row + _SUFFIX
    return low, high


def text_bounds(value: Any) -> tuple[int, int]:
    """At least and at most the characters str() of a single (not container) value makes."""
    if isinstance(value, str):
        return len(value), len(value) + 2  # repr adds quotes (escapes are rare: see render)
    if isinstance(value, Tensor):
        return tensor_text_bounds(value)
    if isinstance(value, bool) or value is None:
        return 4, 5
    if isinstance(value, int):
        digits = math.ceil(value.bit_length() * math.log10(2)) + 2
        return 1, digits
    if isinstance(value, float | complex):
        return 3, 60
    if isinstance(value, BoundMethod):  # its text may hold its receiver's (a module's)
        return 0, text_bounds(value.receiver)[1] + OTHER_TEXT
    if isinstance(value, ExceptionValue):
        size = len(value.message) + len(value.arguments) + len(value.kind) + 2
        return 0, size
    kind = kind_of(value)
    if kind is not None:
        return kind.text_bounds(value)
    return 0, OTHER_TEXT


def text_length(value: Any) -> int:
    """The characters str() of `value` makes, made and counted (see the module docstring)."""
    return len(str(value))


def array_shape(value: Any) -> Shape | None:
    if isinstance(value, Tensor):
        return tuple(value.shape)
    kind = kind_of(value)
    return None if kind is None else kind.array_shape(value)


def _data_shape(items: list[Any] | tuple[Any, ...]) -> Shape:
    """The nested lengths torch would read a list as (by its first items)."""
    shape: list[int] = []
    data: Any = items
    while isinstance(data, list | tuple) and len(shape) < 64:
        shape.append(len(data))
        if not data:
            break
        data = data[0]
    return tuple(shape)


def array_shapes(values: Iterable[Any]) -> list[Shape]:
    """Shapes of the arrays in `values`, and of the lists beside them (see above).
    Empty if there are no arrays: comparing plain Python values broadcasts nothing."""
    arrays: list[Shape] = []
    lists: list[Shape] = []
    seen: set[int] = set()
    stack = list(values)
    while stack:
        item = stack.pop()
        if type(item) in _PLAIN:  # most items: max() of a list of numbers
            continue
        shape = array_shape(item)
        if shape is not None:
            arrays.append(shape)
            continue
        if isinstance(item, list | tuple | dict):
            if id(item) in seen:
                continue
            seen.add(id(item))
            if isinstance(item, dict):
                stack.extend(item.values())
                continue
            lists.append(_data_shape(item))
            stack.extend(item)
    return arrays + lists if arrays else []


_PLAIN = frozenset({int, float, bool, str, complex, type(None)})


def broadcast_bound(shapes: list[Shape]) -> int:
    """The product of the largest dimension of each position, right-aligned."""
    if not shapes:
        return 0
    width = max(len(s) for s in shapes)
    largest = [1] * width
    for shape in shapes:
        for i, n in enumerate(shape, start=width - len(shape)):
            largest[i] = max(largest[i], n)
    return math.prod(largest)


def is_scalar(value: Any) -> bool:
    """A value whose comparison with anything broadcasts nothing."""
    return value is None or isinstance(value, bool | int | float | complex | str)
