"""How long NumPy's text of an array can be, known before the text is made.

NumPy prints with its default options (precision 8, threshold 1000, 3 edge
items, 75 characters a line), and pads every element to one width: at
most 18 characters for a float ('-1.23456789e-300'), twice that and more
for a complex number, 21 for a 64-bit integer, 5 for a bool; an integral
float array prints as `12.`, its widest integer and a point. Past 1000
elements only 6 items of each dimension are shown. The bound below counts
those elements at that width, plus each line's brackets and indentation,
so `print(a)`, `str(a)`, `repr(a)` and f-strings of arrays are refused by
the sequence_length limit (app.evaluate.guards.Guard.render) before NumPy
builds a string that is too long.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_LINE = 75
_THRESHOLD = 1_000
_EDGE = 2 * 3


def _width(array: np.ndarray[Any, Any]) -> int:
    kind = array.dtype.kind
    if kind == "b":
        return 5
    if kind in "iu":
        return 21
    if kind == "c":
        return 40
    finite = array[np.isfinite(array)] if array.size else array
    if finite.size and np.all(np.mod(finite, 1) == 0) and float(np.abs(finite).max()) < 1e8:
        return len(str(int(np.abs(finite).max()))) + 2
    return 18 if finite.size else 5


def _printed(array: np.ndarray[Any, Any]) -> list[int]:
    """How many items of each dimension NumPy shows ('...' counted as one)."""
    if array.size <= _THRESHOLD:
        return [int(d) for d in array.shape]
    return [min(int(d), _EDGE + 1) for d in array.shape]


def printed_elements(array: np.ndarray[Any, Any]) -> int:
    """Items NumPy's text shows: a lower bound of its length."""
    return math.prod(_printed(array))


def printed_length(array: np.ndarray[Any, Any]) -> int:
    """An upper bound of len(str(array)) and len(repr(array))."""
    ndim = array.ndim
    overhead = 3 * ndim + 12  # a line's brackets, indentation, newline, '...'
    printed = _printed(array)
    elements = math.prod(printed)
    if elements == 0:
        return 80 + 8 * ndim
    width = _width(array) + 2
    last = printed[-1] if printed else 1
    rows = elements // max(1, last)
    per_line = max(1, (_LINE - ndim - 7) // width)
    lines = rows * (-(-last // per_line) + 1)
    return elements * width + lines * overhead + 80
