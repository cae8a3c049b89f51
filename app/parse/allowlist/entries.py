"""The kinds of entry the allowlist tables hold, and what one library adds.

Each function carries its allowed keyword arguments (anything else, notably
`device`, `out`, `layout`, `pin_memory`, `memory_format`, `generator`, is
refused) and a `bound`: how the evaluator bounds the size of its result
BEFORE running it (app.evaluate.guards):

    shrink      no result is larger than its largest tensor argument
                (elementwise with one tensor, reductions, views, sorts)
    broadcast   elementwise over several tensors: the broadcast shape
    matmul      at most the product of the arguments' sizes; above the
                limit the exact shape comes from a run on "meta" tensors
    grow        may be larger than its inputs (repeat, expand, pad,
                one_hot, diag, ...): always shaped on "meta" tensors first
    create      a factory (zeros, arange, randn, ...): always shaped on
                "meta" first
    data        torch.tensor / as_tensor: the nested lengths of the data
    concat      cat / stack: the sum of the inputs' sizes
    pieces      split, chunk, unbind (tensor_split, hsplit, ...): views of
                the input, but one tensor object per piece: the number of
                pieces, read from the arguments, is counted as steps
                (x.split(1) of a million elements would make a million
                tensors)
    index       writes through advanced indexing (index_put, index_put_):
                its index tensors broadcast to as many positions as
                `x[indices]` reads, each written, and the values and their
                gradient expand to that shape: bounded as that indexing
                is (the result itself is the input's shape)
    meta        anything else (einsum, matrix_power, interpolate, ...):
                always shaped on "meta" tensors first, factories inside
                Python code made on meta too; a call torch cannot shape so
                (no meta kernel, or a size read from the values) is refused

A library (torch, numpy, nn, optim, pyplot, Python's own builtins) is one
module of this package holding its tables and a `LIBRARY` that says what it
adds to the language: its namespaces, what `import` may name, the attribute
and method names its values have, and the names every program starts with.
app.parse.allowlist puts the libraries together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

SHRINK = "shrink"
BROADCAST = "broadcast"
MATMUL = "matmul"
GROW = "grow"
CREATE = "create"
DATA = "data"
CONCAT = "concat"
PIECES = "pieces"
INDEX = "index"
META = "meta"


@dataclass(frozen=True, slots=True)
class Fn:
    """A callable entry. `kwargs` is None only where any keyword is fine (dict)."""

    kwargs: frozenset[str] | None = frozenset()
    bound: str = SHRINK
    random: bool = False  # draws from the RNG: the evaluator seeds it first
    special: str | None = None  # handled by name in the evaluator (backward, tensor, ...)


@dataclass(frozen=True, slots=True)
class Const:
    """A constant member of a namespace (torch.float32, torch.pi, math.e)."""


@dataclass(frozen=True, slots=True)
class Ns:
    """A sub-namespace (torch.nn, torch.autograd)."""

    path: str


Entry = Fn | Const | Ns


@dataclass(frozen=True, slots=True)
class ClassBase:
    """A class of a library that a program's own class may derive from
    (`class Net(nn.Module):`); app.parse.classes checks the class against it.

    `reserved` are the base's own names, which the program's class may
    neither define as methods nor assign on `self` (a `parameters` method
    would shadow nn.Module's); `overridable` those of them it may define
    (`forward`); `decorators` the decorators its methods may carry (none
    for nn.Module).
    """

    reserved: frozenset[str] = frozenset()
    overridable: frozenset[str] = frozenset()
    decorators: frozenset[str] = frozenset()


def fn(
    kwargs: str = "",
    bound: str = SHRINK,
    random: bool = False,
    special: str | None = None,
) -> Fn:
    return Fn(frozenset(kwargs.split()), bound, random, special)


@dataclass(frozen=True)
class Library:
    """What one library adds to the language.

    `namespaces` maps dotted module paths to their members; `importable` the
    paths `import` and `from ... import` may name; `attributes` the plain
    attribute names its values have and `methods` the method names with the
    keywords each accepts (None: any), both read by the checker for `.name`
    on a value whose type is unknown before the run; `predefined` the names
    every program starts with and the namespace each means (`np`: "numpy");
    `settable` the attribute names a program may assign on its values
    (`layer.weight = ...`); `class_bases` the dotted paths of its classes a
    program's class may derive from (`torch.nn.Module`); `extends` members
    it adds to another library's namespaces (`torch.optim` in `torch`,
    NumPy's `torch.from_numpy`); `tensor_methods` the methods it gives
    tensors (NumPy's bridge, `x.numpy()`).
    """

    namespaces: Mapping[str, Mapping[str, Entry]]
    importable: frozenset[str] = frozenset()
    attributes: frozenset[str] = frozenset()
    methods: Mapping[str, frozenset[str] | None] = field(default_factory=dict)
    predefined: Mapping[str, str] = field(default_factory=dict)
    settable: frozenset[str] = frozenset()
    class_bases: Mapping[str, ClassBase] = field(default_factory=dict)
    extends: Mapping[str, Mapping[str, Entry]] = field(default_factory=dict)
    tensor_methods: Mapping[str, Fn] = field(default_factory=dict)
