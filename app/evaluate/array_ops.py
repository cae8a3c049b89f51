"""Operators with a NumPy array or scalar on either side, bounded as tensors' are.

Python decides what `a * t`, `t * a`, `a == t` or `x * np.ones(2)` mean (an
ndarray times a tensor is a TypeError, a tensor times an ndarray a tensor):
the operator itself runs, after the size of its result is bounded from the
operands' shapes (a broadcast, or a matrix product), and lists among the
operands are checked as array data. `np.int64(3) * [1, 2]` repeats the list,
as Python does with an int, and `'%d' % np.int64(3)` formats: both are left
to app.evaluate.operators.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from app.evaluate import array_sizes as S
from app.evaluate.array_args import check_value, made, quiet
from app.evaluate.array_data import broadcast, shape_of
from app.evaluate.machine import Machine

Tensor = torch.Tensor
ARRAYS = (np.ndarray, np.generic)
_SEQUENCES = (str, list, tuple)


def repeats_sequence(op: type, left: Any, right: Any) -> bool:
    """`np.int64(3) * [1, 2]` and `'ab' * np.int64(2)`: Python's repetition; and
    `'%d' % np.int64(3)`: Python's formatting (bounded as any %)."""
    if op is ast.Mod and isinstance(left, str):
        return True
    if op is not ast.Mult:
        return False
    return (isinstance(left, np.integer) and isinstance(right, _SEQUENCES)) or (
        isinstance(right, np.integer) and isinstance(left, _SEQUENCES)
    )


def bound_pair(m: Machine, op: type, left: Any, right: Any, node: ast.AST) -> None:
    """Refuse `left op right` if its result would exceed tensor_elements."""
    for side in (left, right):
        if isinstance(side, list | tuple):
            check_value(m, side, node)
    a, b = shape_of(left), shape_of(right)
    if a is None or b is None:
        return
    if op is ast.MatMult:
        size = S.RULES["matmul"]([left, right], {})
        n = None if size is None else size.largest
    else:
        n = broadcast([a, b])
    if n is not None:  # None: NumPy or torch refuses the shapes itself
        m.guard.check_numel(n)


def binary(
    m: Machine, op: type, fn: Callable[[Any, Any], Any], left: Any, right: Any, node: ast.AST
) -> Any:
    bound_pair(m, op, left, right, node)
    with quiet():
        result = fn(left, right)
    if result is left or result is right:  # in place
        if isinstance(result, Tensor) and m.record:
            m.tracker.note(result, node)
        return result
    return made(m, result, node)
