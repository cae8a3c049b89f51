"""`value.name` at run time, decided by the value's type and the allowlist.

The checker has already refused any attribute that no value has; this is
the exact check on the actual value. `getattr` is only ever called with a
name taken from an allowlist table, never with one the program chose.
"""

from __future__ import annotations

import ast
from typing import Any

import torch

from app.errors import NotAllowed
from app.evaluate.kinds import kind_of
from app.evaluate.machine import Machine
from app.evaluate.values import MISSING, BoundMethod, GradFn, Namespace
from app.parse import allowlist as A

Tensor = torch.Tensor
# Tensor attributes that make a new tensor (a view): stamped with their span.
_VIEWS = frozenset({"T", "mT", "H", "mH", "real", "imag"})


def is_method_receiver(value: Any) -> bool:
    """Values whose `.name(...)` is a method call (not a namespace member)."""
    if isinstance(value, Tensor | list | dict | str | GradFn):
        return True
    kind = kind_of(value)
    return kind is not None and kind.method_calls


def _refuse(m: Machine, node: ast.AST, message: str) -> NotAllowed:
    line, column = m.position(node)
    return NotAllowed(message, line=line, column=column)


def _kind(value: Any) -> str:
    if isinstance(value, Tensor):
        return "tensors"
    return f"{type(value).__name__} values"


def get(m: Machine, value: Any, attr: str, node: ast.Attribute) -> Any:
    if isinstance(value, Tensor):
        if attr in A.TENSOR_ATTRIBUTES:
            if attr == "grad_fn":
                return GradFn.of(value.grad_fn, m.grad_fn_views)
            result = getattr(value, attr)
            if attr in _VIEWS:
                m.made(result, node)
            return result
        if attr in A.TENSOR_METHODS:
            return BoundMethod(value, attr)
    elif isinstance(value, Namespace):
        member = value.members.get(attr, MISSING)  # np.newaxis is None
        if member is MISSING:
            raise _refuse(m, node, f"{value.path}.{attr} is not available here")
        return member
    elif isinstance(value, GradFn):
        if attr == "next_functions":
            return value.next_functions
        if attr in A.GRAD_FN_METHODS:
            return BoundMethod(value, attr)
    elif isinstance(value, tuple) and type(value).__module__ == "torch.return_types":
        if attr in A.RETURN_FIELDS:
            return getattr(value, attr)
    elif isinstance(value, list):
        if attr in A.LIST_METHODS:
            return BoundMethod(value, attr)
    elif isinstance(value, dict):
        if attr in A.DICT_METHODS:
            return BoundMethod(value, attr)
    elif isinstance(value, str):
        if attr in A.STR_METHODS:
            return BoundMethod(value, attr)
    elif value is None:
        raise AttributeError(f"'NoneType' object has no attribute {attr!r}")
    else:
        kind = kind_of(value)
        if kind is not None:
            return kind.get(m, value, attr, node)
    no_such_attribute(value, attr)
    raise _refuse(m, node, f".{attr} is not available on {_kind(value)}")


def no_such_attribute(value: Any, name: str) -> None:
    """Raise Python's AttributeError (a program may catch it: 2.5.retain_grad())
    if the value's type has no `name` at all; return if it has one that this
    program may not use. Only a lookup in the type's own tables: nothing of
    the value runs."""
    if not hasattr(type(value), name):
        raise AttributeError(f"'{type(value).__name__}' object has no attribute {name!r}")


def set_attribute(m: Machine, target: Any, attr: str, value: Any, node: ast.AST) -> None:
    """`x.grad = ...`, `x.requires_grad = ...` and `x.data = ...` on a tensor, and
    what a value kind allows on its values."""
    if not isinstance(target, Tensor):
        kind = kind_of(target)
        if kind is not None:
            kind.set(m, target, attr, value, node)
            return
    if not isinstance(target, Tensor) or attr not in A.TENSOR_SETTABLE:
        if target is None:
            raise AttributeError(f"'NoneType' object has no attribute {attr!r}")
        raise _refuse(m, node, f"assigning .{attr} is not allowed on {_kind(target)}")
    if attr == "grad":
        if value is not None and not isinstance(value, Tensor):
            raise TypeError("assigned grad expected to be a Tensor or None")
        target.grad = value
    elif attr == "data":
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        target.data = value  # older tutorials' update step: w.data -= lr * w.grad
        if m.record:
            m.tracker.note(target, node)
    else:
        target.requires_grad = bool(value)
