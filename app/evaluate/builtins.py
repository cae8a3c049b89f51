"""The Python builtins a program may call, and list and dict methods, with guards.

Each builtin is `(machine, args, kwargs, node) -> value`. Anything that
builds a sequence bounds its length first (sequence_length), anything that
renders text bounds what it would render (print's sep and end too), and
`sum` adds with the guarded operator so `sum([a, b])` of tensors is bounded
like `a + b`; `max`, `min`, `list.count` and `list.index` compare through
Python's protocol, bounded as comparisons are (Guard.compared). The dual names
(abs, sum, max, min, round, pow) get here only when their first argument is
not a tensor; with a tensor they are the torch functions.
"""

from __future__ import annotations

import ast
import builtins as py
from collections.abc import Callable
from typing import Any

import torch

from app.evaluate import operators
from app.evaluate.kinds import NoLength, kind_of
from app.evaluate.machine import Machine
from app.evaluate.values import shown
from app.parse.allowlist import DICT_METHODS, LIST_METHODS

Tensor = torch.Tensor
Builtin = Callable[[Machine, list[Any], dict[str, Any], ast.AST], Any]
SIZED = (list, tuple, str, dict, range, torch.Size)
MAX_NDIGITS = 1_000


def _no_keywords(name: str, kwargs: dict[str, Any], allowed: tuple[str, ...] = ()) -> None:
    for key in kwargs:
        if key not in allowed:
            raise TypeError(f"{name}() got an unexpected keyword argument {key!r}")


def _size(m: Machine, value: Any, asked: str = "iteration over") -> int:
    if isinstance(value, SIZED):
        return len(value)
    if isinstance(value, Tensor):
        if value.dim() == 0:
            raise TypeError(f"{asked} a 0-d tensor")  # torch's words for either
        return value.shape[0]
    kind = kind_of(value)
    if kind is not None:
        try:
            return kind.length(m, value)
        except NoLength:
            if asked == "len() of":
                raise
            raise TypeError(f"'{kind.type_name(value)}' object is not iterable") from None
    if asked == "len() of":
        raise TypeError(f"object of type '{type(value).__name__}' has no len()")
    raise TypeError(f"'{type(value).__name__}' object is not iterable")


def items(m: Machine, value: Any, node: ast.AST) -> list[Any]:
    """The items of an allowed iterable, as a list, bounded before it is built."""
    m.guard.new_sequence(_size(m, value))
    return list(m.iterate(value, node))


def _print(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> None:
    sep = kwargs.get("sep")
    end = kwargs.get("end")
    sep = " " if sep is None else sep
    end = "\n" if end is None else end
    if not isinstance(sep, str) or not isinstance(end, str):
        raise TypeError("sep and end must be None or strings")
    parts = []
    for arg in args:
        m.guard.render(arg)
        parts.append(shown(arg, str(arg), m.addresses))
    m.guard.text(parts, sep, end)  # 3,000 arguments and a long sep: before the join
    m.write(sep.join(parts) + end)


def _range(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> range:
    return range(*args)  # lazy: a loop over it pays one step per iteration


def _len(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> int:
    if len(args) != 1:
        raise TypeError("len() takes exactly one argument")
    return _size(m, args[0], "len() of")


def _float(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> float:
    return float(*args)


def _int(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> int:
    return m.guard.int_result(int(*args, **kwargs))


def _bool(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> bool:
    return bool(*args)


def _str(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> str:
    if len(args) > 1:
        raise TypeError("str() takes at most one argument here")
    if not args:
        return ""
    m.guard.render(args[0])
    text = shown(args[0], str(args[0]), m.addresses)
    m.guard.sequence(len(text))  # what a kind's text bound did not foresee
    return text


def _list(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> list[Any]:
    if len(args) > 1:
        raise TypeError("list() takes at most one argument")
    return items(m, args[0], node) if args else []


def _tuple(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> tuple[Any, ...]:
    if len(args) > 1:
        raise TypeError("tuple() takes at most one argument")
    return tuple(items(m, args[0], node)) if args else ()


def _dict(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> dict[Any, Any]:
    if len(args) > 1:
        raise TypeError("dict() takes at most one positional argument")
    if not args:
        m.guard.new_sequence(len(kwargs))
        return dict(**kwargs)
    source = args[0]
    if isinstance(source, dict):
        m.guard.new_sequence(len(source) + len(kwargs))
        return dict(source, **kwargs)
    pairs = items(m, source, node)
    m.guard.sequence(len(pairs) + len(kwargs))
    return dict(pairs, **kwargs)


def _enumerate(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> list[Any]:
    if len(args) != 1:
        raise TypeError("enumerate() takes one iterable")
    start = kwargs.get("start", 0)
    return list(enumerate(items(m, args[0], node), start))


def _zip(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> list[Any]:
    if not args:
        return []
    shortest = min(_size(m, a) for a in args)
    m.guard.new_sequence(shortest)
    return list(zip(*(m.iterate(a, node) for a in args), strict=False))


class _Ordered:
    """An item of a sort, compared as Python compares it, with the comparison of
    two tensors bounded like the operator's (a broadcast is made)."""

    __slots__ = ("m", "key")

    def __init__(self, m: Machine, key: Any) -> None:
        self.m = m
        self.key = key

    def __lt__(self, other: _Ordered) -> bool:
        a, b = self.key, other.key
        if isinstance(a, Tensor) and isinstance(b, Tensor) and a.shape != b.shape:
            self.m.guard.broadcast([a, b])
        return bool(a < b)


def sort_items(
    m: Machine, values: list[Any], kwargs: dict[str, Any], node: ast.AST, what: str
) -> list[Any]:
    """`values` sorted as sorted() sorts them; a key function is the program's,
    called once per item through the interpreter (each call a step)."""
    _no_keywords(what, kwargs, ("key", "reverse"))
    key = kwargs.get("key")
    reverse = kwargs.get("reverse", False)
    keys = values if key is None else [m.call(key, [v], {}, node) for v in values]
    order = sorted(range(len(values)), key=lambda i: _Ordered(m, keys[i]), reverse=bool(reverse))
    return [values[i] for i in order]


def _sorted(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> list[Any]:
    if len(args) != 1:
        raise TypeError(f"sorted expected 1 argument, got {len(args)}")
    return sort_items(m, items(m, args[0], node), kwargs, node, "sorted")


BUILTINS: dict[str, Builtin] = {
    "print": _print,
    "range": _range,
    "len": _len,
    "float": _float,
    "int": _int,
    "bool": _bool,
    "str": _str,
    "list": _list,
    "tuple": _tuple,
    "dict": _dict,
    "enumerate": _enumerate,
    "zip": _zip,
    "sorted": _sorted,
}


# -- the Python halves of the dual names --------------------------------------
def _abs(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
    _no_keywords("abs", kwargs)
    return py.abs(*args)


def _sum(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
    _no_keywords("sum", kwargs, ("start",))
    if len(args) not in (1, 2):
        raise TypeError("sum() takes an iterable and an optional start")
    total = args[1] if len(args) == 2 else kwargs.get("start", 0)
    if isinstance(total, str):
        raise TypeError("sum() can't sum strings")
    for item in items(m, args[0], node):
        total = operators.binary(m, ast.Add, total, item, node, False)
    return total


def _extreme(name: str, pick: Callable[..., Any]) -> Builtin:
    def extreme(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        _no_keywords(name, kwargs)
        if not args:
            raise TypeError(f"{name} expected at least 1 argument, got 0")
        values = items(m, args[0], node) if len(args) == 1 else args
        m.guard.compared(*values)  # compared pairwise, through Python's protocol
        return pick(values)

    return extreme


def _round(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
    _no_keywords("round", kwargs, ("ndigits",))
    ndigits = args[1] if len(args) > 1 else kwargs.get("ndigits")
    if isinstance(ndigits, int) and py.abs(ndigits) > MAX_NDIGITS:
        raise ValueError(f"round() ndigits must be within +-{MAX_NDIGITS} here")
    result = py.round(args[0]) if ndigits is None else py.round(args[0], ndigits)
    return m.guard.int_result(result) if isinstance(result, int) else result


def _pow(m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
    _no_keywords("pow", kwargs, ("mod",))
    if len(args) == 3 or "mod" in kwargs:
        mod = args[2] if len(args) == 3 else kwargs["mod"]
        return py.pow(args[0], args[1], mod)
    if len(args) != 2:
        raise TypeError("pow() takes two or three arguments")
    return operators.binary(m, ast.Pow, args[0], args[1], node, False)


DUALS: dict[str, Builtin] = {
    "abs": _abs,
    "sum": _sum,
    "max": _extreme("max", py.max),
    "min": _extreme("min", py.min),
    "round": _round,
    "pow": _pow,
}


# -- methods of lists and dicts -----------------------------------------------
def list_method(
    m: Machine,
    value: list[Any],
    name: str,
    args: list[Any],
    kwargs: dict[str, Any],
    node: ast.AST,
) -> Any:
    assert name in LIST_METHODS
    if name == "sort":
        if args:
            raise TypeError("sort() takes no positional arguments")
        value[:] = sort_items(m, value, kwargs, node, "sort")
        return None
    _no_keywords(name, kwargs)
    if name in ("append", "insert"):
        m.guard.sequence(len(value) + 1)
        m.guard.count_items(1)
    elif name == "extend":
        added = _size(m, args[0]) if args else 0
        m.guard.sequence(len(value) + added)
        m.guard.count_items(added)
    elif name == "copy":
        m.guard.new_sequence(len(value))
    elif name in ("count", "index") and args:
        m.guard.compared(args[0], value)  # compared with every item
    return getattr(value, name)(*args)


class DictView(list[Any]):
    """`d.keys()`, `d.values()`, `d.items()`: a list of them when asked (not a
    live view, which the element limits could not follow), printed as Python
    prints its view: `dict_keys(['a', 'b'])`."""

    __slots__ = ()
    name = "dict_keys"

    def __repr__(self) -> str:
        return f"{self.name}({super().__repr__()})"

    __str__ = __repr__


class DictValues(DictView):
    __slots__ = ()
    name = "dict_values"


class DictItems(DictView):
    __slots__ = ()
    name = "dict_items"


_VIEWS: dict[str, type[DictView]] = {"keys": DictView, "values": DictValues, "items": DictItems}


def dict_method(
    m: Machine, value: dict[Any, Any], name: str, args: list[Any], kwargs: dict[str, Any]
) -> Any:
    assert name in DICT_METHODS
    _no_keywords(name, kwargs)
    if name in ("items", "keys", "values"):
        if args:
            raise TypeError(f"{name}() takes no arguments")
        m.guard.new_sequence(len(value))
        return _VIEWS[name](getattr(value, name)())
    if name == "copy":
        m.guard.new_sequence(len(value))
    return getattr(value, name)(*args)
