"""Operators (+, *, **, @, comparisons, unary) with their guards.

Python ints: the result's bit length is bounded before `**`, `*` and `<<`
run, checked after the others. Sequences: `*` and `+` are bounded before
they build anything; `%` on a string is app.evaluate.strings' bounded
%-formatting.
Tensors: a broadcast or matmul result is bounded before it is allocated,
and every tensor result is counted and stamped with its span. Comparisons
of containers (`[a] == [b]`, `a in [b]`) compare the tensors inside them
through Python's protocol: they are bounded by what those may broadcast to. NumPy arrays
and scalars on either side: as tensors, in app.evaluate.array_ops.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from app.evaluate import array_ops, strings
from app.evaluate.array_args import made as array_made
from app.evaluate.array_ops import ARRAYS
from app.evaluate.kinds import type_name
from app.evaluate.machine import Machine
from app.evaluate.metashape import cap_numel
from app.evaluate.sizes import matmul_numel

Tensor = torch.Tensor
Op = Callable[[Any, Any], Any]

BINARY: dict[type, Op] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.MatMult: operator.matmul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
    ast.BitAnd: operator.and_,
}
INPLACE: dict[type, Op] = {
    ast.Add: operator.iadd,
    ast.Sub: operator.isub,
    ast.Mult: operator.imul,
    ast.MatMult: operator.imatmul,
    ast.Div: operator.itruediv,
    ast.FloorDiv: operator.ifloordiv,
    ast.Mod: operator.imod,
    ast.Pow: operator.ipow,
    ast.LShift: operator.ilshift,
    ast.RShift: operator.irshift,
    ast.BitOr: operator.ior,
    ast.BitXor: operator.ixor,
    ast.BitAnd: operator.iand,
}
UNARY: dict[type, Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Invert: operator.invert,
    ast.Not: operator.not_,
}


def _contains(a: Any, b: Any) -> bool:
    return a in b


def _not_contains(a: Any, b: Any) -> bool:
    return a not in b


COMPARE: dict[type, Op] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: _contains,
    ast.NotIn: _not_contains,
}
SEQUENCES = (str, list, tuple)
SIZED = (str, list, tuple, range, dict, Tensor)


def binary(m: Machine, op: type, left: Any, right: Any, node: ast.AST, inplace: bool) -> Any:
    fn = (INPLACE if inplace else BINARY)[op]
    if (isinstance(left, ARRAYS) or isinstance(right, ARRAYS)) and not (
        array_ops.repeats_sequence(op, left, right)
    ):
        return array_ops.binary(m, op, fn, left, right, node)
    if isinstance(left, Tensor) or isinstance(right, Tensor):
        return _tensor_op(m, op, fn, left, right, node, inplace)
    if isinstance(left, int) and isinstance(right, int):
        guard = m.guard
        if op is ast.Pow:
            guard.int_power(left, right)
        elif op is ast.Mult:
            guard.int_product(left, right)
        elif op is ast.LShift:
            guard.int_shift(left, right)
        result = fn(left, right)
        if isinstance(result, int):
            guard.int_result(result)
        return result
    if isinstance(left, SEQUENCES) or isinstance(right, SEQUENCES):
        return _sequence_op(m, op, fn, left, right, node)
    try:
        return fn(left, right)
    except TypeError as exc:
        raise _named(exc, left, right) from None


def _named(exc: TypeError, *operands: Any) -> TypeError:
    """Python's message, with each instance of a program's class named by its
    class (`'A'`), not by the class that stands for every such instance."""
    message = str(exc)
    for operand in operands:
        named = type_name(operand)
        if named != type(operand).__name__:
            message = message.replace(f"'{type(operand).__name__}'", f"'{named}'", 1)
    return TypeError(message)


def _tensor_op(
    m: Machine, op: type, fn: Op, left: Any, right: Any, node: ast.AST, inplace: bool
) -> Any:
    both = isinstance(left, Tensor) and isinstance(right, Tensor)
    if both and not (inplace and op is not ast.MatMult):
        if op is ast.MatMult:
            if cap_numel(left) * cap_numel(right) > m.guard.max_elements:
                numel = matmul_numel(left, right)
                if numel is not None:
                    m.guard.check_numel(numel)
        elif left.shape != right.shape:
            m.guard.broadcast([left, right])
    result = fn(left, right)
    if result is left or result is right:
        if m.record:
            m.tracker.note(result, node)  # in place: a new grad_fn, same tensor
        return result
    return m.made(result, node)


def _sequence_op(m: Machine, op: type, fn: Op, left: Any, right: Any, node: ast.AST) -> Any:
    if op is ast.Mod and isinstance(left, str):
        return strings.percent(m, left, right, node)
    if op is ast.Add and isinstance(left, SEQUENCES):
        # `items += range(10**9)` extends a list from any sized iterable.
        size = len(right) if isinstance(right, SIZED) else 0
        m.guard.new_sequence(len(left) + size)
    elif op is ast.Mult:
        if isinstance(left, SEQUENCES):
            times = operator.index(right)
            m.guard.new_sequence(len(left) * max(0, times))
            return fn(left, times)
        times = operator.index(left)
        m.guard.new_sequence(len(right) * max(0, times))
        return fn(times, right)
    return fn(left, right)


def unary(m: Machine, op: type, operand: Any, node: ast.AST) -> Any:
    try:
        result = UNARY[op](operand)
    except TypeError as exc:
        raise _named(exc, operand) from None
    if isinstance(result, Tensor):
        return m.made(result, node)
    if isinstance(result, np.ndarray):
        return array_made(m, result, node)
    if isinstance(result, int):
        m.guard.int_result(result)
    return result


def compare(m: Machine, node: ast.Compare) -> Any:
    left = m.ev(node.left)
    last = len(node.ops) - 1
    result: Any = True
    for index, (op, comparator) in enumerate(zip(node.ops, node.comparators, strict=True)):
        right = m.ev(comparator)
        kind = op.__class__
        if kind not in (ast.Is, ast.IsNot):
            if isinstance(left, Tensor) and isinstance(right, Tensor):
                if left.shape != right.shape:
                    m.guard.broadcast([left, right])
            elif isinstance(left, ARRAYS) or isinstance(right, ARRAYS):
                array_ops.bound_pair(m, ast.Eq, left, right, node)
            else:  # lists, tuples, dicts: compared item by item, tensors too
                m.guard.compared(left, right)
        result = COMPARE[kind](left, right)
        if isinstance(result, Tensor):
            m.made(result, node)
        elif isinstance(result, np.ndarray):
            array_made(m, result, node)
        if index < last and not result:
            return result
        left = right
    return result
