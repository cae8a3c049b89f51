"""Exact result sizes, computed from the arguments before a call runs.

For factories (zeros, arange, linspace, randn, ...), matrix products and the
few operations whose result can be much larger than their inputs (diag,
cartesian_prod, one_hot); those whose size is read from the values
(nonzero, bincount, ...) are app.evaluate.valuesizes'. Computing the size here costs a microsecond;
asking torch on "meta" tensors costs up to a second the first time a
process does it (torch loads its Python meta kernels lazily).

A rule returns the number of elements the call would make, or None when it
cannot tell from these arguments (the caller then asks torch on meta
tensors). Arguments torch would refuse are not judged here: torch refuses
them itself, before allocating.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

Tensor = torch.Tensor
Rule = Callable[[list[Any], dict[str, Any]], int | None]


def number(value: Any) -> float | None:
    if isinstance(value, Tensor):
        if value.numel() != 1 or value.is_complex():
            return None
        value = value.item()
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    return None


def _shape(args: list[Any], kwargs: dict[str, Any], first: int = 0) -> list[float] | None:
    """The size of a factory called as f(2, 3), f((2, 3)) or f(size=(2, 3))."""
    if "size" in kwargs:
        size = kwargs["size"]
    elif len(args) > first and isinstance(args[first], list | tuple):
        size = args[first]
    else:
        size = args[first:]
    if isinstance(size, list | tuple):
        numbers = [number(v) for v in size]
        if all(n is not None for n in numbers):
            return [n for n in numbers if n is not None]
        return None
    single = number(size)
    return None if single is None else [single]


def _product(dims: list[float] | None) -> int | None:
    """The elements of a shape, a zero dimension counted as one: an empty
    tensor of (3000, 3000, 0) is 9 M nested lists when written or listed."""
    if dims is None:
        return None
    return int(math.prod(max(1.0, d) for d in dims))


def _sized(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    return _product(_shape(args, kwargs))


def _full(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    if "size" in kwargs:
        return _product(_shape([], kwargs))
    return _product(_shape(args[:1], {}))


def _randint(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    if "size" in kwargs:
        return _product(_shape([], kwargs))
    for arg in args:
        if isinstance(arg, list | tuple):
            return _product(_shape([arg], {}))
    return None


def _normal(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    if "size" in kwargs or len(args) > 2:
        return _product(_shape(args[2:3], {k: v for k, v in kwargs.items() if k == "size"}))
    tensors = [a for a in [*args, *kwargs.values()] if isinstance(a, Tensor)]
    try:  # a tensor mean and a tensor std broadcast against each other
        shape = torch.broadcast_shapes(*(t.shape for t in tensors))  # type: ignore[no-untyped-call]
    except RuntimeError:
        return max((int(t.numel()) for t in tensors), default=1)  # torch refuses it itself
    return _product([float(n) for n in shape])


def _steps(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    steps = kwargs["steps"] if "steps" in kwargs else args[2] if len(args) > 2 else None
    value = number(steps)
    return None if value is None else int(max(0.0, value))


def _arange(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    numbers = [number(a) for a in args]
    start: float | None = 0.0
    end: float | None = None
    step: float | None = 1.0
    if len(numbers) == 1:
        end = numbers[0]
    elif len(numbers) >= 2:
        start, end = numbers[0], numbers[1]
        if len(numbers) > 2:
            step = numbers[2]
    start = number(kwargs["start"]) if "start" in kwargs else start
    end = number(kwargs["end"]) if "end" in kwargs else end
    step = number(kwargs["step"]) if "step" in kwargs else step
    if start is None or end is None or step is None:
        return None
    if step == 0 or not all(math.isfinite(v) for v in (start, end, step)):
        return 0  # torch refuses these itself
    return int(max(0, math.ceil((end - start) / step)))


def _eye(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    n = number(kwargs.get("n", args[0] if args else None))
    m = number(kwargs.get("m", args[1] if len(args) > 1 else None)) if n is not None else None
    if n is None:
        return None
    return int(max(0.0, n) * max(0.0, n if m is None else m))


def _randperm(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    n = number(kwargs.get("n", args[0] if args else None))
    return None if n is None else int(max(0.0, n))


def _diag(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    x = args[0] if args else None
    if not isinstance(x, Tensor):
        return None
    k = number(kwargs.get("diagonal", args[1] if len(args) > 1 else 0)) or 0.0
    if x.dim() == 1:
        return int((x.shape[0] + abs(k)) ** 2)
    return x.numel()


def _diag_embed(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    x = args[0] if args else None
    if not isinstance(x, Tensor) or x.dim() == 0:
        return None
    k = number(kwargs.get("offset", args[1] if len(args) > 1 else 0)) or 0.0
    last = x.shape[-1]
    rest = math.prod(x.shape[:-1])
    return int(rest * (last + abs(k)) ** 2)


def _cartesian_prod(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    if not all(isinstance(a, Tensor) for a in args):
        return None
    return int(math.prod(a.numel() for a in args)) * max(1, len(args))


def _one_hot(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    x = args[0] if args else None
    if not isinstance(x, Tensor):
        return None
    classes = number(kwargs.get("num_classes", args[1] if len(args) > 1 else -1))
    if classes is None:
        return None
    if classes < 0:  # as many classes as the largest label says: read it
        classes = float(x.max()) + 1 if x.numel() else 0.0
    return int(x.numel() * max(0.0, classes))


def matmul_numel(a: Any, b: Any) -> int | None:
    """Elements of a @ b, by torch.matmul's shape rules."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor) or a.dim() == 0 or b.dim() == 0:
        return None
    rows = a.shape[-2] if a.dim() > 1 else 1
    cols = b.shape[-1] if b.dim() > 1 else 1
    dims_a = tuple(a.shape[:-2]) if a.dim() > 2 else ()
    dims_b = tuple(b.shape[:-2]) if b.dim() > 2 else ()
    width = max(len(dims_a), len(dims_b))
    dims_a = (1,) * (width - len(dims_a)) + dims_a
    dims_b = (1,) * (width - len(dims_b)) + dims_b
    batch = math.prod(max(x, y) for x, y in zip(dims_a, dims_b, strict=True))
    return int(batch * rows * cols)


def _matmul(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    if len(args) != 2:
        return None
    return matmul_numel(args[0], args[1])


def _outer(args: list[Any], kwargs: dict[str, Any]) -> int | None:
    if len(args) != 2 or not all(isinstance(a, Tensor) for a in args):
        return None
    return int(args[0].numel() * args[1].numel())


RULES: dict[str, Rule] = {
    "zeros": _sized,
    "ones": _sized,
    "rand": _sized,
    "randn": _sized,
    "full": _full,
    "randint": _randint,
    "normal": _normal,
    "linspace": _steps,
    "logspace": _steps,
    "arange": _arange,
    "eye": _eye,
    "randperm": _randperm,
    "diag": _diag,
    "diag_embed": _diag_embed,
    "cartesian_prod": _cartesian_prod,
    "one_hot": _one_hot,
    "matmul": _matmul,
    "mm": _matmul,
    "bmm": _matmul,
    "mv": _matmul,
    "dot": _matmul,
    "vdot": _matmul,
    "inner": _outer,  # an upper bound: a.shape[:-1] + b.shape[:-1]
    "outer": _outer,
    "ger": _outer,
    "kron": _outer,
}


_SECTIONS = {"tensor_split": None, "hsplit": 1, "vsplit": 0, "dsplit": 2}


def _sections(name: str, tensor: Tensor, rest: list[Any], kwargs: dict[str, Any]) -> int:
    """tensor_split, hsplit, vsplit, dsplit: a count of sections, or indices."""
    how = rest[0] if rest else None
    for key in ("indices_or_sections", "sections", "indices", "tensor_indices_or_sections"):
        how = kwargs.get(key, how)
    if isinstance(how, Tensor):
        how = how.tolist() if how.dim() == 1 and how.numel() <= 1 << 20 else how.numel()
    if isinstance(how, list | tuple):
        return len(how) + 1
    if isinstance(how, int) and not isinstance(how, bool):
        return max(0, how)
    return 0


def piece_count(name: str, args: list[Any], kwargs: dict[str, Any]) -> int:
    """How many tensors split, chunk or unbind (and their kin) would make; 0
    where torch itself will refuse the arguments (it then says why)."""
    tensor = args[0] if args and isinstance(args[0], Tensor) else None
    if tensor is None or tensor.dim() == 0:
        return 0
    rest = args[1:]
    name = name.removeprefix("unsafe_").removesuffix("_copy")
    if name in _SECTIONS:
        return _sections(name, tensor, rest, kwargs)
    if name == "split_with_sizes":
        sizes = kwargs.get("split_sizes", rest[0] if rest else None)
        return len(sizes) if isinstance(sizes, list | tuple) else 0
    dim_at = 0 if name == "unbind" else 1
    dim = kwargs.get("dim", rest[dim_at] if len(rest) > dim_at else 0)
    if not isinstance(dim, int) or isinstance(dim, bool) or not -tensor.dim() <= dim < tensor.dim():
        return 0
    size = int(tensor.shape[dim])
    if name == "unbind":
        return size
    keyword = "chunks" if name == "chunk" else "split_size_or_sections"
    how = kwargs.get(keyword, rest[0] if rest else None)
    if isinstance(how, list | tuple):
        return len(how)
    if not isinstance(how, int) or isinstance(how, bool) or how <= 0:
        return 0
    if name == "chunk":
        return min(how, size)
    return -(-size // how)
