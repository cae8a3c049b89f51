"""Differential tests: the allowed NumPy functions against NumPy itself.

Hypothesis draws small arrays (float64, float32, int64, bool; NaN and
infinities among the floats) and one allowed function with arguments; the
same program text runs through the evaluator and the same call runs in
NumPy directly. The results must agree in type, dtype, shape and value
(NaN equal to NaN), and where NumPy raises, the program fails with the same
exception; where NumPy makes an object array, the program is refused. Last,
every function of the table with small arguments of every kind.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import NotAllowed, VisualizerError
from app.evaluate import run_source
from app.evaluate.failures import CaughtError
from app.parse import allowlist as A
from app.parse.allowlist import numpy as N

DTYPES = ["float64", "float32", "int64", "bool"]
REDUCTIONS = (
    "sum prod mean std var min max amin amax argmin argmax ptp median all any count_nonzero "
    "cumsum cumprod nansum nanprod nanmean nanstd nanvar nanmin nanmax nanmedian sort argsort "
    "diff"
).split()
SHAPES = (
    "ravel transpose flip fliplr flipud squeeze atleast_1d atleast_2d atleast_3d copy tril triu "
    "diag rot90 unique shape size ndim"
).split()
PRODUCTS = "dot matmul inner outer kron vdot".split()
METHODS = [
    "a.sum(axis={axis})",
    "a.mean(axis={axis})",
    "a.max(axis={axis})",
    "a.argmin(axis={axis})",
    "a.cumsum(axis={axis})",
    "a.astype(np.float32)",
    "a.astype(int)",
    "a.T",
    "a.reshape(-1)",
    "a.round(1)",
    "a.clip(-1, 1)",
    "a.flatten()",
    "a.tolist()",
    "a.copy()",
]


def _literal(value: Any) -> str:
    """Program text for a nested list of numbers (NaN and infinities as np names)."""
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return "np.nan" if math.isnan(value) else ("np.inf" if value > 0 else "-np.inf")
    return repr(value)


@st.composite
def arrays(draw: st.DrawFn, shape: tuple[int, ...] | None = None) -> np.ndarray[Any, Any]:
    dtype = draw(st.sampled_from(DTYPES))
    if shape is None:
        shape = tuple(draw(st.lists(st.integers(1, 4), max_size=3)))
    numbers: st.SearchStrategy[Any] = {
        "bool": st.booleans(),
        "int64": st.integers(-6, 6),
    }.get(dtype, st.floats(-8, 8, width=32) | st.sampled_from([math.nan, math.inf, -math.inf]))
    values = draw(st.lists(numbers, min_size=math.prod(shape), max_size=math.prod(shape)))
    return np.array(values, dtype=dtype).reshape(shape)


def _program(arguments: dict[str, np.ndarray[Any, Any]], call: str) -> str:
    lines = [
        f"{name} = np.array({_literal(value.tolist())}, dtype=np.{value.dtype.name})"
        for name, value in arguments.items()
    ]
    return "\n".join([*lines, f"y = {call}", ""])


def _same(ours: Any, theirs: Any) -> None:
    if isinstance(theirs, tuple | list):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for mine, real in zip(ours, theirs, strict=True):
            _same(mine, real)
        return
    assert type(ours) is type(theirs)
    if isinstance(theirs, np.ndarray | np.generic):
        assert ours.dtype == theirs.dtype and np.shape(ours) == np.shape(theirs)
        assert np.array_equal(ours, theirs, equal_nan=theirs.dtype.kind in "fc")
    else:  # numbers, dtypes, shapes; finfo and iinfo by what they print
        assert ours == theirs or (ours != ours and theirs != theirs) or repr(ours) == repr(theirs)


def check(arguments: dict[str, np.ndarray[Any, Any]], call: str) -> None:
    """Run `call` as a program and in NumPy; both agree or both raise alike."""
    source = _program(arguments, call)
    names: dict[str, Any] = {"np": np, **{k: v.copy() for k, v in arguments.items()}}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            np.random.seed(0)  # as the evaluator seeds it before the first draw
            expected = eval(call, names)  # noqa: S307 - the tests' own text, never user text
    except Exception as error:
        try:
            run_source(source)
        except CaughtError as caught:
            assert type(caught.original) is type(error), source
            return
        raise AssertionError(f"NumPy raised {error!r}, the program did not:\n{source}") from None
    if not _numeric(expected):  # an object array (np.asarray(None)): refused by design
        with pytest.raises(NotAllowed):
            run_source(source)
        return
    try:
        ours = run_source(source).output
    except VisualizerError as error:
        raise AssertionError(f"{error.code}: {error.detail}\n{source}") from None
    _same(ours, expected)


def _numeric(value: Any) -> bool:
    if isinstance(value, tuple | list):
        return all(_numeric(item) for item in value)
    if isinstance(value, np.ndarray | np.generic):
        return value.dtype.kind in "biufc"
    return True


@settings(max_examples=300, deadline=None)
@given(a=arrays(), name=st.sampled_from(N.UNARY))
def test_elementwise_functions_of_one_array(a: np.ndarray[Any, Any], name: str) -> None:
    check({"a": a}, f"np.{name}(a)")


@settings(max_examples=300, deadline=None)
@given(data=st.data(), name=st.sampled_from(N.BINARY))
def test_elementwise_functions_of_two_arrays_broadcast(data: st.DataObject, name: str) -> None:
    a = data.draw(arrays())
    tail = a.shape[data.draw(st.integers(0, a.ndim)) :]
    b = data.draw(arrays(tail))
    check({"a": a, "b": b}, f"np.{name}(a, b)")


@settings(max_examples=300, deadline=None)
@given(data=st.data(), name=st.sampled_from(REDUCTIONS))
def test_reductions_along_an_axis(data: st.DataObject, name: str) -> None:
    a = data.draw(arrays())
    axis = data.draw(st.sampled_from([None, *range(-a.ndim, a.ndim)]))
    check({"a": a}, f"np.{name}(a, axis={axis})")


@settings(max_examples=200, deadline=None)
@given(a=arrays(), name=st.sampled_from(SHAPES))
def test_shape_functions(a: np.ndarray[Any, Any], name: str) -> None:
    check({"a": a}, f"np.{name}(a)")


@settings(max_examples=200, deadline=None)
@given(data=st.data(), name=st.sampled_from(PRODUCTS))
def test_products(data: st.DataObject, name: str) -> None:
    a = data.draw(arrays())
    b = data.draw(arrays(a.shape[::-1] if data.draw(st.booleans()) else None))
    check({"a": a, "b": b}, f"np.{name}(a, b)")


@settings(max_examples=200, deadline=None)
@given(data=st.data(), method=st.sampled_from(METHODS))
def test_array_methods(data: st.DataObject, method: str) -> None:
    a = data.draw(arrays())
    axis = data.draw(st.sampled_from([None, *range(a.ndim)]))
    check({"a": a}, method.format(axis=axis))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_where_clip_and_comparisons(data: st.DataObject) -> None:
    a = data.draw(arrays())
    b = data.draw(arrays(a.shape))
    call = data.draw(
        st.sampled_from(
            [
                "np.where(a > 0, a, b)",
                "np.clip(a, -1, 1)",
                "np.isclose(a, b)",
                "np.allclose(a, b)",
                "np.array_equal(a, b)",
                "np.concatenate([a, b])",
                "np.stack([a, b])",
                "a[a > 0]",
                "a == b",
                "a @ b.T",
            ]
        )
    )
    check({"a": a, "b": b}, call)


# Every function and method of NumPy's tables, called with small arguments of
# every kind.
TABLE_FUNCTIONS = sorted(
    [f"np.{name}" for name, e in N.NUMPY.items() if isinstance(e, A.Fn)]
    + [f"np.linalg.{name}" for name, e in N.LINALG.items() if isinstance(e, A.Fn)]
    + [f"np.random.{name}" for name, e in N.RANDOM.items() if e.special is None]
    + [f"np.random.default_rng(7).{name}" for name in N.GENERATOR_METHODS]
    + [f"a.{name}" for name in N.NDARRAY_METHODS]
)
ARGUMENTS = ["a", "b", "0", "1", "2", "-1", "0.5", "None", "True", "(2, 2)", "[1, 0]", "[[1, 2]]"]


@settings(max_examples=600, deadline=None)
@given(
    data=st.data(),
    function=st.sampled_from(TABLE_FUNCTIONS),
    arguments=st.lists(st.sampled_from(ARGUMENTS), max_size=3),
)
def test_any_table_function_with_small_arguments(
    data: st.DataObject, function: str, arguments: list[str]
) -> None:
    a = data.draw(arrays())
    b = data.draw(arrays(a.shape if data.draw(st.booleans()) else None))
    check({"a": a, "b": b}, f"{function}({', '.join(arguments)})")
