"""NumPy values as a program sees them: ndarrays, NumPy scalars, dtypes and scalar types.

Each is a `ValueKind` (app.evaluate.kinds) registered here for its type:
- np.ndarray: the attributes and methods of app.parse.allowlist.numpy;
  indexing bounded before it runs (advanced indexing makes as many elements
  as its index arrays broadcast to, times what the slices keep); `len`;
  iteration yields its items one at a time (NumPy scalars or row views);
- np.generic (a NumPy scalar: `theta_hat_arr[-1]` is an np.float32, and
  prints `-3.2959592`): its attributes and a few methods; it is a number
  everywhere else (float(), arithmetic, formatting);
- the scalar types themselves (`np.float32(1.5)`, `dtype=np.float32`): a
  program may call the numeric ones, nothing else of a class;
- np.dtype (`x.dtype.name`) and np.finfo / np.iinfo (`np.finfo(np.float32).eps`).
An ndarray or NumPy scalar in the answer is written as a tensor of its dtype
is, with NumPy's name for the dtype (`write_array`, in encode's WRITERS).
Printing is NumPy's own, with its default print options (no program can
change them); its length is bounded first (app.evaluate.array_text).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from app.budget import Budget
from app.evaluate.array_args import check_value, made, quiet
from app.evaluate.array_calls import keywords, run
from app.evaluate.array_data import broadcast, shape_of
from app.evaluate.array_text import printed_elements, printed_length
from app.evaluate.attributes import no_such_attribute
from app.evaluate.encode import WRITERS, encode_tensor
from app.evaluate.kinds import ValueKind, register
from app.evaluate.machine import Machine
from app.evaluate.values import BoundMethod
from app.parse.allowlist import numpy as N
from app.parse.allowlist.entries import Fn

Tensor = torch.Tensor
SCALAR_TYPES: frozenset[type] = frozenset(getattr(np, name) for name in N.DTYPES)


# -- indexing ------------------------------------------------------------------
def _advanced(item: Any) -> bool:
    if isinstance(item, np.ndarray | Tensor):
        return item.ndim > 0 or item.dtype in (np.bool_, torch.bool)
    return isinstance(item, list | bool | np.bool_)


def _is_mask(item: Any) -> bool:
    dtype = getattr(item, "dtype", None)
    return dtype in (np.bool_, torch.bool) or isinstance(item, bool | np.bool_)


def _consumes(item: Any) -> int:
    if item is None or item is Ellipsis or isinstance(item, bool | np.bool_):
        return 0
    if _is_mask(item):
        return int(item.ndim)
    return 1


def indexed_elements(shape: tuple[int, ...], index: Any) -> int | None:
    """An upper bound of the elements `array[index]` makes; None for basic indexing
    (a view or a scalar: nothing is allocated); 0 where NumPy refuses the index."""
    items = index if isinstance(index, tuple) else (index,)
    if not any(_advanced(item) for item in items):
        return None
    ndim = len(shape)
    rest = ndim - sum(_consumes(item) for item in items)
    if rest < 0:
        return 0  # too many indices: NumPy says so
    position, kept = 0, 1
    picked: list[tuple[int, ...]] = []
    for item in items:
        if item is Ellipsis:
            kept *= math.prod(shape[position : position + rest])
            position += rest
            rest = 0
        elif item is None:
            continue
        elif isinstance(item, slice):
            dim = shape[position]
            try:
                kept *= len(range(*item.indices(dim)))
            except TypeError:
                kept *= dim
            position += 1
        elif _advanced(item):
            if _is_mask(item):  # picks its True items: (count,) broadcast with the others
                count = item.sum() if isinstance(item, Tensor) else np.count_nonzero(item)
                picked.append((int(count),))
            else:
                picked.append(shape_of(item) or ())
            position += _consumes(item)
        else:
            position += 1
    kept *= math.prod(shape[position:])
    each = broadcast(picked)
    return 0 if each is None else each * kept


# Index items that select a view or a scalar, whatever their value.
_BASIC = frozenset({int, slice, type(None), type(Ellipsis), np.int64, np.intp})


def _run_method(
    m: Machine,
    owner: str,
    name: str,
    entry: Fn,
    value: Any,
    args: list[Any],
    kwargs: dict[str, Any],
    node: ast.AST,
) -> Any:
    """`value.name(*args, **kwargs)` of an array or NumPy scalar, through its table entry."""
    keywords(m, entry.kwargs, kwargs, f".{name}", node)
    return run(
        m,
        f"{owner}.{name}",
        entry,
        lambda a, k: getattr(a[0], name)(*a[1:], **k),
        [value, *args],
        kwargs,
        node,
    )


def _get_item(m: Machine, value: Any, index: Any, node: ast.AST) -> Any:
    _check_index(m, value, index, node)
    with quiet():
        return made(m, value[index], node)


def _check_index(m: Machine, value: Any, index: Any, node: ast.AST) -> None:
    items = index if isinstance(index, tuple) else (index,)
    if all(type(item) in _BASIC for item in items):
        return  # basic indexing: a view or a scalar (the common case, checked first)
    for item in items:
        if not isinstance(item, slice | type(Ellipsis)):
            check_value(m, item, node)
    n = indexed_elements(tuple(value.shape), index)
    if n:
        m.guard.check_numel(n)


# -- ndarrays --------------------------------------------------------------------
class ArrayKind(ValueKind):
    label = "NumPy arrays"

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        if attr in N.NDARRAY_ATTRIBUTES:
            return getattr(value, attr)  # numbers, a tuple, a dtype, or a view
        if attr in N.NDARRAY_METHODS:
            return BoundMethod(value, attr)
        no_such_attribute(value, attr)
        raise self.refuse(m, node, f".{attr} is not available on {self.label}")

    def call_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        entry = N.NDARRAY_METHODS.get(name)
        if entry is None:
            no_such_attribute(value, name)
            raise self.refuse(m, node, f".{name}() is not available on {self.label}")
        return _run_method(m, "ndarray", name, entry, value, args, kwargs, node)

    def get_item(self, m: Machine, value: Any, index: Any, node: ast.AST) -> Any:
        return _get_item(m, value, index, node)

    def set_item(self, m: Machine, value: Any, index: Any, new: Any, node: ast.AST) -> None:
        _check_index(m, value, index, node)
        check_value(m, new, node)
        with quiet():
            value[index] = new

    def length(self, m: Machine, value: Any) -> int:
        if value.ndim == 0:
            raise TypeError("len() of unsized object")
        return int(value.shape[0])

    def text_bounds(self, value: Any) -> tuple[int, int]:
        """At least and at most the characters of str() or repr() of the array."""
        return printed_elements(value), printed_length(value)

    def array_shape(self, value: Any) -> tuple[int, ...] | None:
        return tuple(value.shape)  # compares element by element, broadcasting

    def iterate(self, m: Machine, value: Any, node: ast.AST) -> Iterator[Any]:
        if value.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        # One item at a time, as NumPy's own iterator: each loop pass is a step.
        return (value[i] for i in range(value.shape[0]))


# -- NumPy scalars ---------------------------------------------------------------
class ScalarKind(ValueKind):
    label = "NumPy scalars"

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        if attr in N.NDARRAY_ATTRIBUTES and hasattr(value, attr):
            return getattr(value, attr)
        if attr in N.SCALAR_METHODS:
            return BoundMethod(value, attr)
        no_such_attribute(value, attr)
        raise self.refuse(m, node, f".{attr} is not available on {self.label}")

    def call_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        if name not in N.SCALAR_METHODS:
            no_such_attribute(value, name)
            raise self.refuse(m, node, f".{name}() is not available on {self.label}")
        entry = N.NDARRAY_METHODS[name]
        return _run_method(m, "generic", name, entry, value, args, kwargs, node)

    def get_item(self, m: Machine, value: Any, index: Any, node: ast.AST) -> Any:
        return _get_item(m, value, index, node)

    def text_bounds(self, value: Any) -> tuple[int, int]:
        return 1, 60  # np.complex128(-1.23456789e-300-4.5e+200j) and its repr

    def array_shape(self, value: Any) -> tuple[int, ...] | None:
        return ()


# -- the scalar types, dtypes, finfo and iinfo ------------------------------------
class ScalarTypeKind(ValueKind):
    """A class a program holds: only NumPy's numeric scalar types, to call them."""

    label = "NumPy types"

    def call(
        self, m: Machine, value: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        if value not in SCALAR_TYPES:
            raise self.refuse(m, node, f"{value.__name__}() cannot be called here")
        if kwargs or len(args) > 1:
            raise TypeError(f"{value.__name__}() takes at most one argument here")
        for arg in args:
            check_value(m, arg, node, option=True)  # np.float64("1.5") parses its text
        with quiet():
            return made(m, value(*args), node)


class AttributesKind(ValueKind):
    """Values with a few plain attributes: dtypes (x.dtype.name), finfo and iinfo."""

    def __init__(self, label: str, attributes: frozenset[str]) -> None:
        self.label = label
        self.attributes = attributes

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        if attr in self.attributes and hasattr(value, attr):
            return getattr(value, attr)
        no_such_attribute(value, attr)
        raise self.refuse(m, node, f".{attr} is not available on {self.label}")


# -- in the answer --------------------------------------------------------------
def write_array(value: np.ndarray[Any, Any] | np.generic, budget: Budget | None) -> dict[str, Any]:
    """An ndarray or NumPy scalar in the answer: `{"value", "shape", "dtype"}` as
    a tensor of its dtype is written (within the budget), with NumPy's dtype name."""
    array = np.asarray(value)
    if any(stride < 0 for stride in array.strides):
        array = array.copy()  # torch.from_numpy takes no negative strides
    out = encode_tensor(torch.from_numpy(array), budget)
    out["dtype"] = array.dtype.name
    return out


WRITERS[np.ndarray] = WRITERS[np.generic] = write_array
register(np.ndarray, ArrayKind())
register(np.generic, ScalarKind())
register(type, ScalarTypeKind())
register(np.dtype, AttributesKind("NumPy dtypes", N.DTYPE_ATTRIBUTES))
register(np.finfo, AttributesKind("finfo values", N.INFO_ATTRIBUTES))
register(np.iinfo, AttributesKind("iinfo values", N.INFO_ATTRIBUTES))
