"""Size rules of NumPy's products and decompositions, and of calls with several outputs.

Part of app.evaluate.array_sizes (see there): each rule bounds, from the
arguments' shapes, the largest array and all arrays the call makes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.evaluate.array_data import Rule, Size, arg, broadcast, number, one, shape_of, size_of


def _dot(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    a, b = (shape_of(x) for x in (args + [None, None])[:2])
    if a is None or b is None:
        return None
    if not a or not b:
        return one(math.prod(a) * math.prod(b))
    head = a[:-1]
    tail = b[:-2] + b[-1:] if len(b) >= 2 else ()
    return one(math.prod(head) * math.prod(tail))


def _matmul(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    a, b = (shape_of(x) for x in (args + [None, None])[:2])
    if not a or not b:
        return None
    rows = a[-2] if len(a) > 1 else 1
    cols = b[-1] if len(b) > 1 else 1
    batch = broadcast([a[:-2], b[:-2]])
    return None if batch is None else one(batch * rows * cols)


def _inner(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    a, b = (shape_of(x) for x in (args + [None, None])[:2])
    if a is None or b is None:
        return None
    return one(math.prod(a[:-1] or (1,)) * math.prod(b[:-1] or (1,)))


def _tensordot(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    a, b = (shape_of(x) for x in (args + [None, None])[:2])
    axes = arg(args, kwargs, 2, "axes", 2)
    if a is None or b is None:
        return None
    if number(axes) is not None:
        k = int(number(axes) or 0)
        if not 0 <= k <= min(len(a), len(b)):
            return None
        return one(math.prod(a[: len(a) - k]) * math.prod(b[k:]))
    try:
        drop_a, drop_b = ([int(i) for i in np.atleast_1d(side)] for side in axes)
        kept_a = [d for i, d in enumerate(a) if i not in drop_a and i - len(a) not in drop_a]
        kept_b = [d for i, d in enumerate(b) if i not in drop_b and i - len(b) not in drop_b]
    except (TypeError, ValueError):
        return None
    return one(math.prod(kept_a) * math.prod(kept_b))


def _solve(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    a, b = (shape_of(x) for x in (args + [None, None])[:2])
    if a is None or b is None or len(a) < 2:
        return None
    if len(b) == 1:
        return one(math.prod(b))
    batch = broadcast([a[:-2], b[:-2]])
    return None if batch is None else one(batch * math.prod(b[-2:]))


def _multi_dot(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    arrays = args[0] if args else None
    if not isinstance(arrays, list | tuple) or len(arrays) < 2:
        return None
    shapes = [shape_of(x) for x in arrays]
    if any(s is None or not 1 <= len(s) <= 2 for s in shapes):
        return None
    # Any product of a run of the chain is (rows of its first) x (columns of its last).
    dims = [s[0] if len(s) == 2 else 1 for s in shapes if s is not None]
    dims.append(shapes[-1][-1] if len(shapes[-1] or ()) == 2 else 1)  # type: ignore[index]
    return one(max(dims[i] * dims[j] for i in range(len(dims)) for j in range(i + 1, len(dims))))


def _matrices(args: list[Any]) -> tuple[int, int, int] | None:
    shape = shape_of(args[0] if args else None)
    if shape is None or len(shape) < 2:
        return None
    return math.prod(shape[:-2]), shape[-2], shape[-1]


def _svd(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    found = _matrices(args)
    if found is None:
        return None
    batch, m, n = found
    k = min(m, n)
    if not arg(args, kwargs, 2, "compute_uv", True):
        return one(batch * k)
    u, v = (m * m, n * n) if arg(args, kwargs, 1, "full_matrices", True) else (m * k, k * n)
    return Size(batch * max(u, v), batch * (u + v + k))


def _qr(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    found = _matrices(args)
    if found is None:
        return None
    batch, m, n = found
    k = min(m, n)
    q = m * m if arg(args, kwargs, 1, "mode", "reduced") == "complete" else m * k
    return Size(batch * max(q, m * n), batch * (q + m * n + k))


def _lstsq(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    a, b = (shape_of(x) for x in (args + [None, None])[:2])
    if a is None or b is None or len(a) != 2:
        return None
    columns = b[1] if len(b) == 2 else 1
    solution = a[1] * columns
    return Size(max(solution, columns, min(a)), solution + columns + min(a) + 1)


# -- several outputs, each no larger than the input ------------------------------
def _per_dimension(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    shape = shape_of(args[0] if args else None)
    if shape is None:
        return None
    n = math.prod(shape)
    return Size(n, n * max(1, len(shape)))


def _unique(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    n = size_of(args[0] if args else None)
    return Size(n, 4 * n)


PRODUCTS: dict[str, Rule] = {
    "dot": _dot,
    "matmul": _matmul,
    "inner": _inner,
    "vdot": lambda args, kwargs: one(1),
    "tensordot": _tensordot,
    "linalg.solve": _solve,
    "linalg.multi_dot": _multi_dot,
    "linalg.svd": _svd,
    "linalg.qr": _qr,
    "linalg.lstsq": _lstsq,
    "nonzero": _per_dimension,
    "argwhere": _per_dimension,
    "gradient": _per_dimension,
    "unique": _unique,
}
