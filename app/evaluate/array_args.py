"""The checks every NumPy call passes through: its arguments before, its result after.

Before: each argument must be something NumPy may turn into a numeric array
(app.evaluate.array_data), a dtype from the table, or a short string option
where the table allows one; dtypes given as `float`, `np.float32` or
"float32" become NumPy's own. Then the result's size is bounded (`bound`,
with the rules of app.evaluate.array_sizes) before the call runs.

After: `made` counts the arrays a call created in total_elements (views and
arrays that share a tensor's memory are free), stamps the tensors NumPy
handed back (np.argmin of a tensor is a tensor), and refuses any array whose
dtype is not numeric: a backstop, since the checks before already keep
object and string arrays from being made.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch

from app.errors import LimitExceeded, NotAllowed
from app.evaluate import array_sizes as S
from app.evaluate.array_data import (
    Size,
    Unfit,
    broadcast,
    capped_size,
    check_data,
    check_leaf,
    data_elements,
    numeric,
    one,
    shape_of,
)
from app.evaluate.machine import Machine
from app.evaluate.values import Function
from app.parse.allowlist import entries as E
from app.parse.allowlist import numpy as N

Tensor = torch.Tensor
ALLOWED_DTYPES: frozenset[np.dtype[Any]] = frozenset(np.dtype(name) for name in N.DTYPES)
# np.floating and the other abstract types: for np.issubdtype; NumPy refuses
# to make an array of any of them.
ABSTRACT_TYPES: frozenset[type] = frozenset(getattr(np, name) for name in N.ABSTRACT_TYPES)
# Dtype names a program may write as strings ("float32"), and the Python types
# its builtins stand for (`dtype=float`).
_DTYPE_NAMES = frozenset(N.DTYPES) | {"float", "int", "bool", "complex"}
_BUILTIN_TYPES: dict[str, type] = {"float": float, "int": int, "bool": bool}
# Where a function takes its dtype positionally (a string there is a dtype name).
DTYPE_POSITIONS: dict[str, int] = {
    "array": 1,
    "asarray": 1,
    "zeros": 1,
    "ones": 1,
    "full": 2,
    "identity": 1,
    "ndarray.astype": 1,
    "generic.astype": 1,
}
# Where a function takes a list of arrays that it never makes one array of
# (the product of a chain): each array is checked on its own.
ARRAY_LISTS: dict[str, int] = {"linalg.multi_dot": 0}
MAX_OPTION = 32  # characters of a string option ("constant", "fro", "ij")

# NumPy's complaints about torch's __array__ and __array_wrap__ (np.sin of a
# tensor): about the libraries, not the program, and not shown by Python for
# code outside __main__.
_LIBRARY_DEPRECATIONS = r"__array(_wrap)?__ "


@contextmanager
def quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", _LIBRARY_DEPRECATIONS, DeprecationWarning)
        yield


def refuse(m: Machine, node: ast.AST, message: str) -> NotAllowed:
    line, column = m.position(node)
    return NotAllowed(message, line=line, column=column)


def _dtype_like(value: Any) -> bool:
    if isinstance(value, np.dtype):
        return True
    if isinstance(value, type):
        return True
    return isinstance(value, Function) and value.name in _BUILTIN_TYPES


def dtype_of(m: Machine, value: Any, node: ast.AST) -> Any:
    """The NumPy dtype (or Python type) `value` names, if it is a numeric one."""
    found: Any = None
    if isinstance(value, type) and value in ABSTRACT_TYPES:
        return value
    if isinstance(value, Function) and value.name in _BUILTIN_TYPES:
        return _BUILTIN_TYPES[value.name]
    if isinstance(value, str) and value in _DTYPE_NAMES:
        found = np.dtype(value)
    elif isinstance(value, np.dtype):
        found = value
    elif isinstance(value, type) and issubclass(value, np.generic):
        found = np.dtype(value)
    if found is None or found not in ALLOWED_DTYPES:
        raise refuse(
            m,
            node,
            f"dtype must be a numeric NumPy dtype such as np.float32 or float, not {value!r}",
        )
    return value if isinstance(value, type) else found


def check_value(m: Machine, value: Any, node: ast.AST, option: bool = False) -> None:
    """One argument of a NumPy call (or an operand, an index, an assigned value)."""
    try:
        if isinstance(value, list | tuple):
            elements = data_elements(value)
            m.guard.check_numel(elements)
            check_data(value, elements)
        elif isinstance(value, str):
            if not option or len(value) > MAX_OPTION:
                raise Unfit(
                    "strings cannot be NumPy array data here (string arrays are not available)"
                )
        elif value is None or isinstance(value, slice):
            return
        else:
            check_leaf(value)
    except Unfit as unfit:
        raise refuse(m, node, str(unfit)) from None


def check_arguments(
    m: Machine, key: str, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> None:
    """Check (and, for dtypes, convert in place) the arguments of the call `key`."""
    options = N.STRING_POSITIONS.get(key, frozenset())
    dtype_at = DTYPE_POSITIONS.get(key)
    for index, value in enumerate(args):
        if index == dtype_at and isinstance(value, str) or _dtype_like(value):
            args[index] = dtype_of(m, value, node)
        elif index == ARRAY_LISTS.get(key) and isinstance(value, list | tuple):
            for item in value:
                check_value(m, item, node)
        else:
            check_value(m, value, node, option=index in options)
    for name, value in kwargs.items():
        if name == "dtype" or _dtype_like(value):
            if value is not None:
                kwargs[name] = dtype_of(m, value, node)
        else:
            check_value(m, value, node, option=name in N.STRING_KEYWORDS)


def check_total(m: Machine, n: int) -> None:
    """Refuse a call whose arrays would take the program past total_elements."""
    limit = m.limits.total_elements
    if m.guard.total + n > limit:
        raise LimitExceeded(
            "total_elements",
            limit,
            f"this would take the program past {limit:,} elements created in all",
        )


def bound(m: Machine, kind: str, key: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    """Refuse the call `key` (bound `kind`, arguments with the array first) if what
    it would make is too large; before it runs."""
    guard = m.guard
    rule = S.RULES.get(key) or S.RULES.get(key.removeprefix("ndarray."))
    size: Size | None = None
    if rule is not None:
        try:
            size = rule(args, kwargs)
        except (TypeError, ValueError, IndexError, OverflowError):
            size = None  # arguments NumPy itself refuses: the generous bound decides
    elif kind == E.BROADCAST:
        shapes = [shape_of(v) for v in [*args, *kwargs.values()]]
        n = broadcast([s for s in shapes if s is not None])
        size = one(n) if n is not None else None
        if size is None:
            return  # the shapes do not broadcast: NumPy refuses them itself
    elif kind == E.CONCAT:
        size = one(S.concatenated(args, kwargs))
    elif kind == E.PIECES:
        guard.pieces(S.pieces(args, kwargs))
        return
    elif kind == E.DATA:
        return  # the data was bounded as it was checked
    elif kind == E.SHRINK:
        return
    if size is None:
        # No rule can tell from these arguments: only a generous bound may let it run.
        loose = S.loose([*args, *kwargs.values()])
        if loose > guard.max_elements:
            raise guard.too_big(loose)
        return
    guard.check_numel(size.largest)
    check_total(m, size.total)


def made(m: Machine, result: Any, node: ast.AST) -> Any:
    """Count, stamp and check what a NumPy call or operator returned."""
    if isinstance(result, np.ndarray):
        _array(m, result, node)
    elif isinstance(result, np.generic):
        if not numeric(result.dtype):
            raise refuse(m, node, f"NumPy values of dtype {result.dtype} are not available")
    elif isinstance(result, Tensor):
        return m.made(result, node)
    elif isinstance(result, list | tuple):
        for item in result:
            if isinstance(item, np.ndarray):
                _array(m, item, node)
        if any(isinstance(item, Tensor) for item in result):
            m.made(result, node)
    return result


def _array(m: Machine, array: np.ndarray[Any, Any], node: ast.AST) -> None:
    if not numeric(array.dtype):
        raise refuse(m, node, f"NumPy arrays of dtype {array.dtype} are not available")
    if not array.size:  # empty, but maybe with 10**9 rows to walk (reshape makes them)
        m.guard.check_numel(capped_size(array.shape))
    if array.flags.owndata:
        m.guard.count_items(int(array.size))
