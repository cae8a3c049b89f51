"""The size rules of NumPy calls (app.evaluate.array_sizes) against NumPy itself.

Each rule must bound what the real call makes: its largest array and all its
arrays together; the factories' rules are exact. Advanced indexing and the
length of NumPy's text are bounded the same way (app.evaluate.arrays,
app.evaluate.array_text).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.evaluate.array_sizes import RULES
from app.evaluate.array_text import printed_length
from app.evaluate.arrays import indexed_elements
from app.parse.allowlist import entries as E
from app.parse.allowlist import numpy as N

A = np.arange(12.0).reshape(3, 4)
V = np.arange(5.0)
M = np.array([[4.0, 1.0], [2.0, 3.0]])
TALL = np.arange(12.0).reshape(6, 2)

# (rule, real function, args, kwargs, exact): calls NumPy accepts.
CALLS: list[tuple[str, Any, list[Any], dict[str, Any], bool]] = [
    ("zeros", np.zeros, [(2, 3)], {}, True),
    ("ones", np.ones, [4], {}, True),
    ("full", np.full, [(2, 2), 7.0], {}, True),
    ("eye", np.eye, [3, 5], {"k": 1}, True),
    ("tri", np.tri, [4], {}, True),
    ("identity", np.identity, [3], {}, True),
    ("arange", np.arange, [0.5, 7.3, 0.7], {}, True),
    ("arange", np.arange, [10, 2, -3], {}, True),
    ("arange", np.arange, [], {"start": 1, "stop": 9, "step": 2}, True),
    ("linspace", np.linspace, [0, 1], {}, True),
    ("linspace", np.linspace, [V, V + 1, 4], {}, True),
    ("logspace", np.logspace, [0, 2], {"num": 7}, True),
    ("geomspace", np.geomspace, [1, 8, 4], {}, True),
    ("random.rand", np.random.rand, [2, 3], {}, True),
    ("random.normal", np.random.normal, [V, 1.0], {}, True),
    ("random.normal", np.random.normal, [0, 1, (3, 2)], {}, True),
    ("random.randint", np.random.randint, [0, 5], {"size": 6}, True),
    ("random.choice", np.random.choice, [10, 3], {"replace": False}, False),
    ("random.choice", np.random.choice, [V], {"size": (2, 2)}, True),
    ("random.permutation", np.random.permutation, [7], {}, True),
    ("random.multivariate_normal", np.random.multivariate_normal, [[0, 0], M @ M.T, 3], {}, True),
    ("meshgrid", np.meshgrid, [V, np.arange(3)], {}, False),
    ("diag", np.diag, [V], {"k": -2}, True),
    ("diag", np.diag, [A], {}, False),
    ("diagflat", np.diagflat, [M], {"k": 1}, True),
    ("vander", np.vander, [V, 3], {}, True),
    ("outer", np.outer, [V, A], {}, True),
    ("kron", np.kron, [M, A], {}, True),
    ("percentile", np.percentile, [A, [10, 50, 90]], {"axis": 0}, False),
    ("histogram", np.histogram, [V], {"bins": 4}, False),
    ("histogram", np.histogram, [V, [0, 1, 5]], {}, False),
    ("cov", np.cov, [A], {}, True),
    ("cov", np.cov, [A, A], {"rowvar": False}, True),
    ("corrcoef", np.corrcoef, [A], {}, True),
    ("convolve", np.convolve, [V, [1, 2, 3]], {}, False),
    ("polyfit", np.polyfit, [V, V**2, 2], {}, False),
    ("repeat", np.repeat, [A, 3], {}, True),
    ("repeat", np.repeat, [V, np.array([1, 0, 2, 5, 1])], {}, False),
    ("tile", np.tile, [A, (2, 1, 3)], {}, True),
    ("pad", np.pad, [A, ((1, 2), (0, 3))], {}, True),
    ("pad", np.pad, [V, 2], {}, True),
    ("broadcast_to", np.broadcast_to, [V, (3, 5)], {}, True),
    ("resize", np.resize, [V, (2, 7)], {}, True),
    ("take", np.take, [A, [0, 2, 2]], {"axis": 1}, True),
    ("take", np.take, [A, np.zeros((2, 2), dtype=int)], {}, True),
    ("dot", np.dot, [A, np.ones((4, 2))], {}, True),
    ("dot", np.dot, [np.ones((2, 3, 4)), np.ones((5, 4, 6))], {}, True),
    ("matmul", np.matmul, [np.ones((2, 1, 3, 4)), np.ones((5, 4, 6))], {}, True),
    ("inner", np.inner, [A, np.ones((2, 4))], {}, True),
    ("vdot", np.vdot, [A, A], {}, True),
    ("tensordot", np.tensordot, [np.ones((2, 3, 4)), np.ones((3, 4, 5))], {}, True),
    ("tensordot", np.tensordot, [np.ones((2, 3)), np.ones((3, 4))], {"axes": ([1], [0])}, True),
    ("linalg.solve", np.linalg.solve, [M, np.ones((2, 3))], {}, True),
    ("linalg.solve", np.linalg.solve, [M, np.ones(2)], {}, True),
    ("linalg.multi_dot", np.linalg.multi_dot, [[TALL, TALL.T, TALL]], {}, False),
    ("linalg.svd", np.linalg.svd, [TALL], {}, False),
    ("linalg.svd", np.linalg.svd, [TALL], {"full_matrices": False}, False),
    ("linalg.qr", np.linalg.qr, [TALL], {"mode": "complete"}, False),
    ("linalg.lstsq", np.linalg.lstsq, [TALL, np.ones((6, 3))], {}, False),
    ("nonzero", np.nonzero, [A > 3], {}, False),
    ("unique", np.unique, [V], {"return_counts": True, "return_inverse": True}, False),
    ("gradient", np.gradient, [A], {}, False),
]


def _arrays(result: Any) -> list[np.ndarray[Any, Any] | np.generic]:
    if isinstance(result, np.ndarray | np.generic):
        return [result]
    if isinstance(result, tuple | list):
        return [a for item in result for a in _arrays(item)]
    return []


@pytest.mark.parametrize(("key", "function", "args", "kwargs", "exact"), CALLS)
def test_each_rule_bounds_what_numpy_makes(
    key: str, function: Any, args: list[Any], kwargs: dict[str, Any], exact: bool
) -> None:
    size = RULES[key](args, kwargs)
    assert size is not None
    made = [a.size for a in _arrays(function(*args, **kwargs))]
    assert size.largest >= max(made) and size.total >= sum(made)
    if exact:
        assert size.largest == max(made)


def test_every_growing_function_has_a_rule() -> None:
    tables = {
        "": N.NUMPY,
        "linalg.": N.LINALG,
        "random.": N.RANDOM,
        "Generator.": N.GENERATOR_METHODS,
        "ndarray.": N.NDARRAY_METHODS,
    }
    missing = []
    for prefix, table in tables.items():
        for name, entry in table.items():
            if isinstance(entry, E.Fn) and entry.bound in (E.CREATE, E.GROW, E.MATMUL):
                key = prefix + name
                if key not in RULES and key.removeprefix("ndarray.") not in RULES:
                    missing.append(key)
    assert missing == []


@settings(max_examples=150, deadline=None)
@given(
    shape=st.lists(st.integers(1, 6), min_size=1, max_size=4),
    size=st.one_of(st.none(), st.integers(0, 5), st.lists(st.integers(0, 4), max_size=3)),
    name=st.sampled_from(["random", "standard_normal", "normal", "uniform", "integers"]),
)
def test_a_generators_draws_are_bounded_exactly(shape: list[int], size: Any, name: str) -> None:
    args: list[Any] = {"integers": [0, 10], "normal": [0.0, 1.0]}.get(name, [])
    if size is None and name == "normal":
        args[0] = np.zeros(shape)  # the draws take the shape of their parameters
    elif size is None:
        size = shape
    kwargs = {"size": None if size is None else tuple(size) if isinstance(size, list) else size}
    made = getattr(np.random.default_rng(0), name)(*args, **kwargs)
    bound = RULES[f"Generator.{name}"](args, kwargs)
    # Exact, an empty dimension counted as one (app.evaluate.array_data.product).
    assert bound is not None and bound.largest == math.prod(d or 1 for d in np.shape(made))


INDEX_ITEM = st.one_of(
    st.integers(-2, 2),
    st.builds(slice, st.none() | st.integers(-3, 3), st.none() | st.integers(-3, 3)),
    st.none(),
    st.lists(st.integers(-2, 2), min_size=1, max_size=3).map(np.array),
    st.lists(st.lists(st.integers(0, 1), min_size=2, max_size=2), min_size=1, max_size=2).map(
        np.array
    ),
    st.lists(st.booleans(), min_size=3, max_size=3).map(np.array),
    st.just(Ellipsis),
)


@settings(max_examples=400, deadline=None)
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    items=st.lists(INDEX_ITEM, min_size=1, max_size=3),
)
def test_advanced_indexing_is_bounded(shape: list[int], items: list[Any]) -> None:
    array = np.arange(math.prod(shape)).reshape(shape)
    index = tuple(items) if len(items) > 1 else items[0]
    try:
        result = array[index]
    except (IndexError, ValueError, TypeError):
        return  # NumPy refuses it itself, before allocating
    bound = indexed_elements(tuple(shape), index)
    if bound is None:
        # A view (nothing allocated) or a scalar.
        assert np.ndim(result) == 0 or result.size == 0 or np.shares_memory(result, array)
    else:
        assert bound >= np.size(result)


ARRAY = st.one_of(
    st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), max_size=40).map(np.array),
    st.lists(st.floats(width=32), max_size=40).map(lambda v: np.array(v, dtype=np.float32)),
    st.lists(st.integers(-(2**63), 2**63 - 1), max_size=40).map(
        lambda v: np.array(v, dtype=np.int64)
    ),
    st.lists(st.booleans(), max_size=40).map(np.array),
    st.lists(st.complex_numbers(allow_nan=False, max_magnitude=1e300), max_size=20).map(np.array),
    st.lists(st.integers(1, 8), min_size=1, max_size=5).map(lambda s: np.zeros(s)),
    st.lists(st.integers(0, 12), min_size=1, max_size=4).map(lambda s: np.full(s, -123456.789)),
)


@settings(max_examples=300, deadline=None)
@given(array=ARRAY, rows=st.integers(1, 4))
def test_the_text_bound_holds_for_str_and_repr(array: np.ndarray[Any, Any], rows: int) -> None:
    if array.size % rows == 0 and array.ndim == 1:
        array = array.reshape(rows, -1)
    bound = printed_length(array)
    assert bound >= len(str(array)) and bound >= len(repr(array))
