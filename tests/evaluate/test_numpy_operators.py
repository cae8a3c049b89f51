"""Operators between NumPy arrays, NumPy scalars, tensors, Python numbers and lists,
in every order, against real Python: the same value and type (its repr), or the
same exception. `a * t` of an ndarray and a tensor is a TypeError as in Python,
`t * a` a tensor, `np.int64(3) * [1, 2]` a list repeated, and so on."""

from __future__ import annotations

import re

import pytest

from app.evaluate import run_source
from tests.evaluate.numpy_programs import python_stdout

OPERANDS = (
    "np.array([1.5, -2.0]), np.array([1.5, 2.0], dtype=np.float32), np.array([3, 4]), "
    "np.array([[1.0, 2.0], [3.0, 4.0]]), np.float64(2.5), np.float32(1.5), np.int64(3), "
    "np.bool_(True), torch.tensor([0.5, 2.0]), torch.tensor([1, 2]), torch.tensor(2.0), 2, "
    "0.5, True, [1, 2], np.array(2.0)"
)
OPERATORS = "+ - * / // % ** @ == != < <= > >= & | ^ << >>".split()
PAIR = re.compile(r"^\d+ \d+ ", re.M)
IN_PLACE = "+= -= *= /= //= %= **= @= &= |= ^= <<= >>=".split()
CATCH = "".join(
    f"        except {name}:\n            print(i, j, '{name}')\n"
    for name in ("TypeError", "ValueError", "RuntimeError", "ZeroDivisionError")
)


def _program(statement: str) -> str:
    """Every pair of operands through `statement`, printing repr(v) or the exception."""
    return (
        f"def values():\n    return [{OPERANDS}]\n"
        "for i in range(len(values())):\n"
        "    for j in range(len(values())):\n"
        "        try:\n"
        "            v = values()[i]\n"
        f"            {statement}\n"
        "            print(i, j, f'{v!r}')\n" + CATCH
    )


@pytest.mark.parametrize("op", OPERATORS)
def test_binary_operators_in_every_order(op: str) -> None:
    source = _program(f"v = v {op} values()[j]")
    expected = python_stdout(source)
    assert len(PAIR.findall(expected)) == 256  # every pair printed
    assert run_source(source).stdout == expected


@pytest.mark.parametrize("op", IN_PLACE)
def test_in_place_operators_in_every_order(op: str) -> None:
    source = _program(f"v {op} values()[j]")
    expected = python_stdout(source)
    assert len(PAIR.findall(expected)) == 256  # every pair printed
    assert run_source(source).stdout == expected
