"""Python's own table: builtins, math, random, and the methods of lists, dicts and strings.

Dangerous corners of Python, and why each is absent: `eval`, `exec`,
`compile`, `__import__`, `open`, `input`, `getattr`/`setattr`/`vars`/`dir`
and `globals` (they reach the interpreter or the machine) are refused by name
(app.parse.names); every attribute or name starting with `_` is refused on
sight (app.parse.walk), so no dunder walk (`().__class__.__bases__`) can
start. `type` and `isinstance` would hand a program real classes.
`str.format` fields may not look up attributes or items (`"{0.__class__}"`
is refused), and format widths are bounded (app.evaluate.strings); `random`
is a generator of the program's own, seeded per program, never the module's
global one (app.evaluate.pyrandom); `sorted` and `list.sort` call a key
function of the program's through the interpreter, each call a step.
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

LIST_METHODS = frozenset("append extend pop insert index count copy reverse clear sort".split())
DICT_METHODS = frozenset("items keys values get copy pop".split())
# Methods of strings, and their keywords (None: any, str.format's fields).
STR_METHODS: dict[str, frozenset[str] | None] = {
    **{
        name: frozenset()
        for name in (
            "join strip lstrip rstrip upper lower title capitalize swapcase casefold "
            "startswith endswith find rfind index rindex count ljust rjust center zfill "
            "isdigit isalpha isalnum isspace isupper islower isnumeric isdecimal istitle "
            "partition rpartition removeprefix removesuffix"
        ).split()
    },
    "format": None,
    "split": frozenset({"sep", "maxsplit"}),
    "rsplit": frozenset({"sep", "maxsplit"}),
    "splitlines": frozenset({"keepends"}),
    "replace": frozenset({"count"}),
}

# `import random`: Python's generator functions, with their keywords.
RANDOM: dict[str, Entry] = {
    name: fn(keywords)
    for name, keywords in {
        "random": "",
        "uniform": "a b",
        "randint": "a b",
        "randrange": "start stop step",
        "choice": "seq",
        "choices": "population weights cum_weights k",
        "sample": "population k counts",
        "shuffle": "x",
        "gauss": "mu sigma",
        "normalvariate": "mu sigma",
        "lognormvariate": "mu sigma",
        "expovariate": "lambd",
        "triangular": "low high mode",
        "betavariate": "alpha beta",
        "gammavariate": "alpha beta",
        "vonmisesvariate": "mu kappa",
        "paretovariate": "alpha",
        "weibullvariate": "alpha beta",
        "getrandbits": "k",
        "seed": "a version",
    }.items()
}

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
    "sorted": fn("key reverse"),
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
    namespaces={"math": MATH, "random": RANDOM},
    importable=frozenset({"math", "random"}),
    methods={
        **STR_METHODS,
        **{name: frozenset() for name in (LIST_METHODS | DICT_METHODS) - {"sort"}},
        "sort": frozenset({"key", "reverse"}),
    },
    predefined={"math": "math"},
)
