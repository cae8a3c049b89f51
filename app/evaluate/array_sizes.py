"""Result sizes of NumPy calls, computed from the arguments before the call runs.

NumPy has no meta arrays to ask, so every function that may make more than
its inputs (a factory, a random draw with `size`, a product, repeat, tile,
pad, the decompositions with full matrices) has a rule here, keyed by its
name in the tables of app.parse.allowlist.numpy ("zeros", "linalg.svd",
"random.normal", "Generator.normal"; an ndarray method uses the rule of the
function of the same name, with the array first). A rule returns the
`Size` of what the call makes: the largest array, bounded by
tensor_elements, and all arrays together, bounded by what is left of
total_elements; or None when these arguments say nothing NumPy would accept
(NumPy then refuses them itself, or the caller falls back to a generous
bound). Rules are generous where exactness would cost: an upper bound
that only refuses what is really too big is enough. The rules of products,
decompositions and calls with several outputs are in
app.evaluate.array_products.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.evaluate.array_data import (
    HUGE,
    Rule,
    Size,
    arg,
    broadcast,
    number,
    numbers,
    one,
    product,
    shape_of,
    size_of,
)
from app.evaluate.array_products import PRODUCTS


# -- factories -----------------------------------------------------------------
def _shaped(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    return one(product(numbers(arg(args, kwargs, 0, "shape"))))


def _eye(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    n = number(arg(args, kwargs, 0, "N"))
    m = number(arg(args, kwargs, 1, "M"))
    return None if n is None else one(product([n, n if m is None else m]))


def _identity(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    n = number(arg(args, kwargs, 0, "n"))
    return None if n is None else one(product([n, n]))


def _arange(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    given = [number(a) for a in args[:3]]
    start: float | None = None
    stop: float | None = None
    step: float | None = 1.0
    if len(given) == 1:
        start, stop = 0.0, given[0]
    if len(given) >= 2:
        start, stop = given[0], given[1]
        step = given[2] if len(given) > 2 else 1.0
    start = number(kwargs["start"]) if "start" in kwargs else start
    stop = number(kwargs["stop"]) if "stop" in kwargs else stop
    step = number(kwargs["step"]) if "step" in kwargs else step
    if stop is None and start is not None and "stop" not in kwargs and len(given) < 2:
        start, stop = 0.0, start  # np.arange(start=5) counts to 5 as np.arange(5)
    if start is None or stop is None or step is None or step == 0:
        return None
    count = (stop - start) / step
    return one(int(min(max(0.0, math.ceil(count)), HUGE)) if math.isfinite(count) else HUGE)


def _spaced(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    num = number(arg(args, kwargs, 2, "num", 50))
    shapes = [shape_of(arg(args, kwargs, i, name)) for i, name in ((0, "start"), (1, "stop"))]
    ends = broadcast([s for s in shapes if s is not None])
    if num is None or ends is None:
        return None
    return one(product([num, ends]))


# -- random draws --------------------------------------------------------------
# Where `size` is among a draw's positional arguments (its parameters come first).
_SIZE_AT = {
    "random": 0,
    "random_sample": 0,
    "standard_normal": 0,
    "normal": 2,
    "uniform": 2,
    "randint": 2,
    "integers": 2,
    "choice": 1,
    "exponential": 1,
    "binomial": 2,
    "poisson": 1,
    "beta": 2,
    "gamma": 2,
    "laplace": 2,
    "lognormal": 2,
    "logistic": 2,
    "multivariate_normal": 2,
}


def _draw(name: str) -> Rule:
    at = _SIZE_AT[name]

    def rule(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
        size = arg(args, kwargs, at, "size")
        if name == "choice":
            return _choice(args, kwargs, size)
        if size is not None:
            n = product(numbers(size))
        else:  # the parameters' broadcast shape
            params = [*args[:at], *(v for k, v in kwargs.items() if k != "size")]
            shapes = [s for s in map(shape_of, params) if s is not None]
            n = broadcast(shapes) if name != "multivariate_normal" else 1
        if n is None:
            return None
        if name == "multivariate_normal":
            n = product([n, size_of(arg(args, kwargs, 0, "mean"))])
        return one(n)

    return rule


def _choice(args: list[Any], kwargs: dict[str, Any], size: Any) -> Size | None:
    population = arg(args, kwargs, 0, "a")
    drawn = 1 if size is None else product(numbers(size))
    pool = number(population) if shape_of(population) == () else size_of(population)
    if drawn is None or pool is None:
        return None
    # Without replacement NumPy shuffles the whole population first.
    replace = arg(args, kwargs, 2, "replace", True)
    if not replace:
        return Size(int(max(drawn, pool)), int(drawn + pool))
    return one(drawn)


def _permutation(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    x = arg(args, kwargs, 0, "x")
    n = number(x) if shape_of(x) == () else size_of(x)
    return None if n is None else one(int(max(0.0, n)))


def _rand(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    return one(product(numbers(list(args))))


# -- growing operations ----------------------------------------------------------
def _meshgrid(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    each = product([float(size_of(a)) for a in args])
    return None if each is None else Size(each, each * max(1, len(args)))


def _diag(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    v = shape_of(args[0]) if args else None
    k = abs(number(arg(args, kwargs, 1, "k", 0)) or 0.0)
    if v is None:
        return None
    if len(v) == 1:
        return one(product([v[0] + k, v[0] + k]))
    return one(math.prod(v))


def _diagflat(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    k = abs(number(arg(args, kwargs, 1, "k", 0)) or 0.0)
    n = size_of(args[0]) if args else 0
    return one(product([n + k, n + k]))


def _vander(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    n = size_of(args[0]) if args else 0
    columns = number(arg(args, kwargs, 1, "N", n))
    return None if columns is None else one(product([n, columns]))


def _products(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    if len(args) < 2:
        return None
    return one(size_of(args[0]) * size_of(args[1]))


def _quantile(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    return one(size_of(args[0] if args else None) * max(1, size_of(arg(args, kwargs, 1, "q"))))


def _histogram(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    bins = arg(args, kwargs, 1, "bins", 10)
    count = number(bins) if shape_of(bins) == () else float(size_of(bins))
    return None if count is None else Size(int(min(count + 1, HUGE)), int(min(2 * count + 1, HUGE)))


def _rows(value: Any, rowvar: bool) -> int:
    shape = shape_of(value) or ()
    if len(shape) < 2:
        return 1 if shape else 0
    return shape[0] if rowvar else shape[1]


def _cov(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    rowvar = bool(arg(args, kwargs, 2, "rowvar", True))
    y = arg(args, kwargs, 1, "y")
    variables = _rows(args[0] if args else None, rowvar) + (0 if y is None else _rows(y, rowvar))
    return one(variables * variables)


def _convolve(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    if len(args) < 2:
        return None
    return one(size_of(args[0]) + size_of(args[1]))


def _polyfit(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    deg = number(arg(args, kwargs, 2, "deg"))
    if deg is None or len(args) < 2:
        return None
    points = max(1, size_of(args[0]))
    columns = max(1, size_of(args[1]) // points)
    return one(product([points, deg + 1, columns]))


def _repeat(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    repeats = arg(args, kwargs, 1, "repeats")
    if isinstance(repeats, np.ndarray) and repeats.size and repeats.dtype.kind in "iu":
        most: float | None = float(repeats.max())
    else:
        counts = numbers(repeats)
        most = max(counts, default=0.0) if counts is not None else None
    return None if most is None else one(product([size_of(args[0] if args else None), most]))


def _tile(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    reps = product(numbers(arg(args, kwargs, 1, "reps")))
    return None if reps is None else one(product([size_of(args[0] if args else None), reps]))


def _pad(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    shape = shape_of(args[0] if args else None)
    width = arg(args, kwargs, 1, "pad_width")
    if shape is None or shape_of(width) is None:
        return None
    try:
        widths = np.broadcast_to(np.asarray(width, dtype=np.float64), (len(shape), 2))
    except (ValueError, TypeError):
        return None
    return one(product([d + float(widths[i].sum()) for i, d in enumerate(shape)]))


def _to_shape(at: int, name: str) -> Rule:
    def rule(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
        return one(product(numbers(arg(args, kwargs, at, name))))

    return rule


def _take(args: list[Any], kwargs: dict[str, Any]) -> Size | None:
    shape = shape_of(args[0] if args else None)
    picked = size_of(arg(args, kwargs, 1, "indices"))
    axis = number(arg(args, kwargs, 2, "axis"))
    if shape is None:
        return None
    if axis is None or not -len(shape) <= axis < len(shape):
        return one(picked)
    along = shape[int(axis)]
    return one(picked * (math.prod(shape) // along if along else 0))


RULES: dict[str, Rule] = {
    **PRODUCTS,
    "zeros": _shaped,
    "ones": _shaped,
    "full": _shaped,
    "eye": _eye,
    "tri": _eye,
    "identity": _identity,
    "arange": _arange,
    "linspace": _spaced,
    "logspace": _spaced,
    "geomspace": _spaced,
    "random.rand": _rand,
    "random.randn": _rand,
    "random.permutation": _permutation,
    "Generator.permutation": _permutation,
    **{f"random.{name}": _draw(name) for name in _SIZE_AT if name != "integers"},
    **{
        f"Generator.{name}": _draw(name)
        for name in _SIZE_AT
        if name not in ("randint", "random_sample")
    },
    "meshgrid": _meshgrid,
    "diag": _diag,
    "diagflat": _diagflat,
    "vander": _vander,
    "outer": _products,
    "kron": _products,
    "percentile": _quantile,
    "quantile": _quantile,
    "histogram": _histogram,
    "cov": _cov,
    "corrcoef": _cov,
    "convolve": _convolve,
    "correlate": _convolve,
    "polyfit": _polyfit,
    "repeat": _repeat,
    "tile": _tile,
    "pad": _pad,
    "broadcast_to": _to_shape(1, "shape"),
    "resize": _to_shape(1, "new_shape"),
    "take": _take,
}


def pieces(args: list[Any], kwargs: dict[str, Any]) -> int:
    """Arrays split, array_split, hsplit or vsplit would make (0: NumPy refuses)."""
    how = arg(args, kwargs, 1, "indices_or_sections")
    if isinstance(how, list | tuple) or (isinstance(how, np.ndarray) and how.ndim):
        return len(how) + 1
    count = number(how)
    return 0 if count is None else int(min(max(0.0, count), HUGE))


def concatenated(args: list[Any], kwargs: dict[str, Any]) -> int:
    """Elements concatenate, stack, vstack, hstack, ... or append make."""
    first = args[0] if args else None
    total = 0
    if isinstance(first, list | tuple):
        total = sum(size_of(item) for item in first)
    else:
        total = size_of(first)
    return total + sum(size_of(extra) for extra in [*args[1:2], kwargs.get("values")])


def loose(values: list[Any]) -> float:
    """A deliberately generous product of every size-like argument."""
    bound = 1.0
    for value in values:
        n = number(value)
        if n is not None:
            bound *= abs(n) + 1
        elif shape_of(value) is not None:
            bound *= size_of(value) + 1
    return bound
