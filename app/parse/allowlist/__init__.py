"""The tables of everything a program may name: functions, methods, attributes, keywords.

Both stages read these tables: the checker (app.parse.checker) refuses, before
anything runs, every name, attribute and keyword argument that no table
lists, and the interpreter (app.evaluate) looks each call up again at run
time, on the actual value, so the two checks never have to agree on types.

One module per library, each with its tables, its `LIBRARY` (what it adds
to the language, app.parse.allowlist.entries) and the list of its dangerous
corners and why they are absent:

    entries.py   Fn, Const, Ns, the size bounds, Library
    torch.py     torch and its namespaces, tensor methods and attributes,
                 torchviz's make_dot: the survey of torch itself
                 (survey.py writes torch_surface.py from the decisions of
                 torch_policy.py and torch_exclusions.py)
    nn.py        torch.nn: modules, nn.Parameter, nn.init, nn.Module as a base
    optim.py     torch.optim: optimizers and learning-rate schedulers
    data.py      torch.utils.data: TensorDataset and DataLoader
    python.py    builtins, math, list and dict methods, exception names
    numpy.py     numpy, numpy.linalg, numpy.random, ndarrays, NumPy scalars
    pyplot.py    matplotlib.pyplot (plt), its Axes and Figures, seaborn's set()

This module puts the libraries together: NAMESPACES (every dotted path a
program can reach), ATTRIBUTE_NAMES and METHOD_KWARGS (for `.name` on a
value whose type is unknown before the run), IMPORTABLE, PREDEFINED_*.

Decisions where the language could have gone either way:
- `zero_()` and the other in-place methods work on any tensor (torch itself
  refuses an in-place change of a leaf that requires grad).
- `F.dropout` is allowed with its default `training=True`: the evaluator
  seeds the generator, so its mask is the same on every run.
- `while` loops are allowed; each iteration is a step, like a `for` one.
- `del name` is allowed (names only), `assert` is allowed, `raise` is not;
  `try/except/else` is allowed, `finally` is not (a limit error must end the
  program, not run more code).
- `_` may be assigned (`for _ in range(3)`) but never read; every other
  name or attribute starting with `_` is refused.
- A generator expression (`sum(x*x for x in xs)`) is a list comprehension
  evaluated at once; one `for` only, any number of `if`s.
- Annotations are allowed and never evaluated; they may only spell names.
- `torch`, `F`, `nn`, `np`, `math` and `plt` are predefined: their
  imports are no-ops.
- `list.append/extend/pop/insert/index/count/copy/reverse/clear/sort`,
  `dict.items/keys/values/get/copy/pop` and the common str methods
  (STR_METHODS) are the only methods of Python values; `items()`,
  `keys()`, `values()` return lists.
- `lambda` is allowed (a function like a def); `@torch.no_grad()` (and
  enable_grad, inference_mode) may decorate a def, no other decorator.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.parse.allowlist import data as _data
from app.parse.allowlist import nn as _nn
from app.parse.allowlist import numpy as _numpy
from app.parse.allowlist import optim as _optim
from app.parse.allowlist import pyplot as _pyplot
from app.parse.allowlist import python as _python
from app.parse.allowlist import torch as _torch
from app.parse.allowlist.entries import (
    BROADCAST,
    CONCAT,
    CREATE,
    DATA,
    GROW,
    INDEX,
    MATMUL,
    META,
    PIECES,
    SHRINK,
    ClassBase,
    Const,
    Entry,
    Fn,
    Library,
    Ns,
    fn,
)
from app.parse.allowlist.nn import MODULE_RESERVED, MODULE_SETTABLE, NN, NN_HINTS
from app.parse.allowlist.numpy import NUMPY, NUMPY_HINTS
from app.parse.allowlist.optim import OPTIM_HINTS, OPTIMIZER_POSITIONAL
from app.parse.allowlist.python import (
    BARE_CONSTANTS,
    BUILTINS,
    DICT_METHODS,
    DUAL_NAMES,
    EXCEPTION_NAMES,
    LIST_METHODS,
    MATH,
    MATH_NAMES,
    RANDOM,
    STR_METHODS,
    bare_kwargs,
)
from app.parse.allowlist.torch import (
    AUTOGRAD,
    AUTOGRAD_FUNCTIONAL,
    CONTEXT_ATTRIBUTES,
    CONTEXT_METHODS,
    CUDA,
    DEVICE_ATTRIBUTES,
    DTYPES,
    FFT,
    FUNC,
    FUNCTION_RESERVED,
    FUNCTIONAL,
    GRAD_FN_ATTRIBUTES,
    GRAD_FN_METHODS,
    INFO_ATTRIBUTES,
    LINALG,
    MAKE_DOT,
    RETURN_FIELDS,
    SPECIAL,
    TENSOR_ATTRIBUTES,
    TENSOR_SETTABLE,
    TORCH,
    TORCHVIZ,
)

__all__ = [
    "ATTRIBUTE_HINTS",
    "ATTRIBUTE_NAMES",
    "AUTOGRAD",
    "AUTOGRAD_FUNCTIONAL",
    "BARE_CONSTANTS",
    "BROADCAST",
    "BUILTINS",
    "CLASS_BASES",
    "CONCAT",
    "CONTEXT_ATTRIBUTES",
    "CONTEXT_METHODS",
    "CREATE",
    "CUDA",
    "DATA",
    "DEVICE_ATTRIBUTES",
    "DICT_METHODS",
    "DTYPES",
    "DUAL_NAMES",
    "EXCEPTION_NAMES",
    "FFT",
    "FUNC",
    "FUNCTION_RESERVED",
    "FUNCTIONAL",
    "GRAD_FN_ATTRIBUTES",
    "GRAD_FN_METHODS",
    "GROW",
    "IMPORTABLE",
    "INDEX",
    "INFO_ATTRIBUTES",
    "LIBRARIES",
    "LINALG",
    "LIST_METHODS",
    "MAKE_DOT",
    "MATH",
    "MATH_NAMES",
    "MATMUL",
    "META",
    "MODULE_RESERVED",
    "MODULE_SETTABLE",
    "METHOD_KWARGS",
    "NAMESPACES",
    "NN",
    "NUMPY",
    "NUMPY_HINTS",
    "OPTIMIZER_POSITIONAL",
    "PIECES",
    "PREDEFINED_MODULES",
    "PREDEFINED_NAMES",
    "READ_DUNDERS",
    "RANDOM",
    "RETURN_FIELDS",
    "SETTABLE",
    "SHRINK",
    "SPECIAL",
    "STR_METHODS",
    "TENSOR_ATTRIBUTES",
    "TENSOR_METHODS",
    "TENSOR_SETTABLE",
    "TORCH",
    "TORCHVIZ",
    "ClassBase",
    "Const",
    "Entry",
    "Fn",
    "Library",
    "Ns",
    "bare_kwargs",
    "fn",
]

# Every library the language knows. A new one is a module of this package
# with a LIBRARY, listed here.
LIBRARIES: tuple[Library, ...] = (
    _torch.LIBRARY,
    _python.LIBRARY,
    _numpy.LIBRARY,
    _nn.LIBRARY,
    _optim.LIBRARY,
    _data.LIBRARY,
    _pyplot.LIBRARY,
)


def _merged(libraries: tuple[Library, ...]) -> dict[str, frozenset[str] | None]:
    """Method name -> the keywords it accepts on any receiver (None: any)."""
    merged: dict[str, frozenset[str] | None] = {}
    for library in libraries:
        for name, kwargs in library.methods.items():
            known = merged.get(name, frozenset())
            merged[name] = None if kwargs is None or known is None else known | kwargs
    return merged


NAMESPACES: dict[str, Mapping[str, Entry]] = {
    path: table for library in LIBRARIES for path, table in library.namespaces.items()
}
for _library in LIBRARIES:  # members a library adds to another's namespace
    for _path, _members in _library.extends.items():
        NAMESPACES[_path] = {**NAMESPACES[_path], **_members}
# Tensor methods: torch's own, and those other libraries bridge to (x.numpy()).
TENSOR_METHODS: dict[str, Fn] = dict(_torch.TENSOR_METHODS)
for _library in LIBRARIES:
    TENSOR_METHODS.update(_library.tensor_methods)
IMPORTABLE: frozenset[str] = frozenset().union(*(library.importable for library in LIBRARIES))

# Names every program starts with, and the namespace each one means.
PREDEFINED_MODULES: dict[str, str] = {
    alias: path for library in LIBRARIES for alias, path in library.predefined.items()
}

# For a call `something.name(...)` whose receiver is not known before the
# run: the keywords `name` accepts on any receiver type.
METHOD_KWARGS: dict[str, frozenset[str] | None] = _merged(LIBRARIES)

# Every attribute name that is allowed on SOME value: the checker refuses any
# other `.name` before the program runs.
ATTRIBUTE_NAMES: frozenset[str] = frozenset(METHOD_KWARGS).union(
    *(library.attributes for library in LIBRARIES)
)

# Attribute names a program may assign (`x.grad = None`, `layer.weight = ...`),
# besides those its own classes give their instances (app.parse.classes).
SETTABLE: frozenset[str] = TENSOR_SETTABLE.union(*(library.settable for library in LIBRARIES))

# Dotted path -> the rules for a program's class deriving from it.
CLASS_BASES: dict[str, ClassBase] = {
    path: base for library in LIBRARIES for path, base in library.class_bases.items()
}

# The only names starting with `_` a program may read: `__name__` (always
# "__main__") and `torch.__version__`.
READ_DUNDERS = frozenset({"__name__", "__version__"})

PREDEFINED_NAMES: frozenset[str] = (
    frozenset(set(PREDEFINED_MODULES) | set(BUILTINS) | set(MATH_NAMES) | set(DUAL_NAMES))
    | frozenset(BARE_CONSTANTS)
    | {"__name__"}
)

ATTRIBUTE_HINTS: dict[str, str] = {
    "storage": "storage is not available",
    "untyped_storage": "storage is not available",
    "data_ptr": "memory addresses are not available",
    **NN_HINTS,
    **OPTIM_HINTS,
}
