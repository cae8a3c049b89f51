"""Python's own table: the builtins a program may call, math, list and dict methods.

Dangerous corners of Python, and why each is absent: `eval`, `exec`,
`compile`, `__import__`, `open`, `input`, `getattr`/`setattr`/`vars`/`dir`
and `globals` (they reach the interpreter or the machine) are refused by name
(app.parse.names); every attribute or name starting with `_` is refused on
sight (app.parse.walk), so no dunder walk (`().__class__.__bases__`) can
start. `type` and `isinstance` would hand a program real classes.
"""

from __future__ import annotations

from app.parse.allowlist.entries import Const, Entry, Fn, Library, fn
from app.parse.allowlist.torch import MAKE_DOT, TORCH

MATH: dict[str, Entry] = {
    **{name: Const() for name in ("pi", "e", "tau", "inf", "nan")},
    **{
        name: fn()
        for name in (
            "sqrt exp log log2 log10 log1p expm1 sin cos tan asin acos atan atan2 sinh cosh "
            "tanh floor ceil trunc fabs isnan isinf isfinite hypot degrees radians copysign "
            "erf erfc gamma lgamma"
        ).split()
    },
}

LIST_METHODS = frozenset("append extend pop insert index count copy reverse clear".split())
DICT_METHODS = frozenset("items keys values get copy pop".split())

# Python builtins a program may call, and their keywords.
BUILTINS: dict[str, Fn] = {
    "print": fn("sep end"),
    "range": fn(),
    "len": fn(),
    "float": fn(),
    "int": fn("base"),
    "bool": fn(),
    "str": fn(),
    "list": fn(),
    "tuple": fn(),
    "dict": Fn(None),
    "enumerate": fn("start"),
    "zip": fn(),
    "make_dot": MAKE_DOT,
}

# Bare math names mean the torch functions (`sin(x)` is `torch.sin(x)`); a
# Python number as first argument becomes a tensor first.
MATH_NAMES = (
    "sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh exp exp2 expm1 log "
    "log2 log10 log1p sqrt rsqrt sigmoid relu softmax log_softmax mean prod norm floor ceil "
    "trunc frac clamp sign square erf reciprocal logsumexp std var maximum minimum"
).split()

# Names with Python semantics on Python numbers and iterables, torch semantics
# when the first argument is a tensor.
DUAL_NAMES: dict[str, frozenset[str]] = {
    "abs": frozenset(),
    "sum": frozenset({"start", "dim", "keepdim", "dtype"}),
    "max": frozenset({"dim", "keepdim"}),
    "min": frozenset({"dim", "keepdim"}),
    "round": frozenset({"ndigits", "decimals"}),
    "pow": frozenset({"mod", "exponent"}),
}

BARE_CONSTANTS = ("pi",)

# The exception names an `except` clause may name.
EXCEPTION_NAMES = frozenset(
    (
        "Exception RuntimeError ValueError TypeError IndexError KeyError ZeroDivisionError "
        "ArithmeticError OverflowError AttributeError NameError LookupError AssertionError "
        "NotImplementedError UnboundLocalError"
    ).split()
)


def bare_kwargs(name: str) -> frozenset[str] | None:
    """Keywords accepted by the predefined bare name `name` (None: any)."""
    if name in BUILTINS:
        return BUILTINS[name].kwargs
    if name in DUAL_NAMES:
        return DUAL_NAMES[name]
    entry = TORCH.get(name)
    if isinstance(entry, Fn):
        return entry.kwargs
    return frozenset()


LIBRARY = Library(
    namespaces={"math": MATH},
    importable=frozenset({"math"}),
    methods={name: frozenset() for name in LIST_METHODS | DICT_METHODS},
    predefined={"math": "math"},
)
