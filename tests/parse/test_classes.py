"""The program's own classes at the parse stage (app.parse.classes)."""

from __future__ import annotations

import pytest
import torch

from app.errors import NotAllowed, VisualizerError
from app.parse import allowlist as A
from app.parse import parse_program

ACCEPTED = [
    "class A:\n    pass\na = A()",
    "class A:\n    '''A docstring.'''\n    size = 3\n    pair: tuple = (1, -2.5)\n",
    "class A(nn.Module):\n    def __init__(self):\n        super().__init__()\n",
    "class A(torch.nn.Module):\n    def __init__(self):\n        super(A, self).__init__()\n",
    "from torch.nn import Module\nclass A(Module):\n    pass",
    "from torch import nn\nclass A(nn.Module):\n    pass",
    "import torch.nn as tnn\nclass A(tnn.Module):\n    pass",
    "class A:\n    def __init__(this, v):\n        this.v = v\n"
    "    def get(this):\n        return this.v",
    "class A:\n    x = 1\nprint(A.x)",
    "class A:\n    def __init__(self):\n        self.a, self.b = 1, 2\n        self.c += 1",
    "m = nn.Sequential()\nm.add_module('W0', nn.Linear(2, 2))\nm.W0",
]


@pytest.mark.parametrize("source", ACCEPTED)
def test_accepted(source: str) -> None:
    parse_program(source)


# (source, line, column, words of the message)
REFUSED = [
    ("class A:\n    def __repr__(self):\n        return 'x'", 2, 5, "__init__ is the only"),
    ("class A:\n    def __call__(self):\n        return 1", 2, 5, "__init__ is the only"),
    ("class A:\n    def __getattr__(self, n):\n        return 1", 2, 5, "__init__ is the only"),
    ("class A:\n    def _hidden(self):\n        return 1", 2, 5, "reserved"),
    ("class A(metaclass=X):\n    pass", 1, 9, "metaclass"),
    ("@dec\nclass A:\n    pass", 1, 2, "decorators"),
    ("class A:\n    @staticmethod\n    def f(x):\n        return x", 2, 6, "decorators"),
    ("class A:\n    @property\n    def f(self):\n        return 1", 2, 6, "decorators"),
    ("class A(B):\n    pass", 1, 9, "derive only from torch.autograd.Function or nn.Module"),
    ("class A(nn.Module, nn.Module):\n    pass", 1, 20, "one base class"),
    ("class A(object):\n    pass", 1, 9, "'object' is not available"),
    ("nn = 3\nclass A(nn.Module):\n    pass", 2, 12, ".Module"),
    ("class A(nn.Linear):\n    pass", 1, 9, "may derive only from"),
    ("class A(nn.Transformer):\n    pass", 1, 12, "torch.nn.Transformer"),
    ("def f():\n    class A:\n        pass", 2, 5, "top level"),
    ("for i in range(2):\n    class A:\n        pass", 2, 5, "top level"),
    ("class A:\n    class B:\n        pass", 2, 5, "a class body may hold only"),
    ("class A:\n    x = [i for i in range(3)]", 2, 9, "a class body may hold only"),
    ("class A:\n    x = y = 1", 2, 5, "one name"),
    ("class A:\n    print('side effect')", 2, 5, "a class body may hold only"),
    ("class A:\n    def f():\n        return 1", 2, 5, "instance first"),
    ("class A:\n    __slots__ = ()", 2, 5, "reserved"),
    ("class A:\n    def f(self, *a):\n        return a", 2, 18, "*args"),
    ("class A(nn.Module):\n    def parameters(self):\n        return []", 2, 5, "own"),
    ("class A(nn.Module):\n    def state_dict(self):\n        return {}", 2, 5, "own"),
    ("class A(nn.Module):\n    def extra_repr(self):\n        return 'x'", 2, 5, "own"),
    ("class A(nn.Module):\n    training = False", 2, 5, "own"),
    (
        "class A(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.training = False",
        4,
        14,
        "own",
    ),
    ("class A(nn.Module):\n    def f(self):\n        self.forward = 1", 3, 14, "own"),
    ("class A(nn.Module):\n    def f(self):\n        self.parameters = []", 3, 14, "own"),
    ("class A:\n    def f(self):\n        return super().f()", 3, 24, "only call __init__"),
    ("class A:\n    def f(self):\n        return super().__class__", 3, 24, "reserved"),
    (
        "class A:\n    def f(self):\n        def g():\n            super().__init__()\n"
        "        return g",
        4,
        13,
        "only in a method",
    ),
    ("super().__init__()", 1, 1, "only in a method"),
    ("class A:\n    def f(self):\n        s = super()\n        return s", 3, 13, "'super'"),
    ("class A:\n    def __init__(self):\n        super(B, self).__init__()", 3, 9, "(A, self)"),
    ("class A:\n    def __init__(self):\n        super(A, 1).__init__()", 3, 9, "super(A, self)"),
    ("class A:\n    def __init__(self):\n        super().__init__(*[])", 3, 26, "star"),
    ("class A:\n    def f(self):\n        return self.__dict__", 3, 21, "reserved"),
    ("class A:\n    def __init__(self):\n        self.__x = 1", 3, 14, "reserved"),
    ("class A:\n    pass\na = A()\na.foo = 1", 4, 1, "assigning to .foo"),
    ("class A:\n    pass\na = A()\na.foo", 4, 3, ".foo is not available"),
    ("class A:\n    def f(self, other):\n        other.z = 1", 3, 9, "assigning to .z"),
]


@pytest.mark.parametrize(("source", "line", "column", "words"), REFUSED)
def test_refused_with_place(source: str, line: int, column: int, words: str) -> None:
    with pytest.raises(VisualizerError) as caught:
        parse_program(source)
    error = caught.value
    assert isinstance(error, NotAllowed)
    assert (error.line, error.column) == (line, column), error.detail
    assert words in error.detail


def test_the_attributes_a_class_sets_on_self_are_allowed_elsewhere() -> None:
    # `p.x` anywhere once a class assigns self.x; the interpreter checks the value.
    parse_program(
        "class P:\n    def __init__(self, x):\n        self.x = x\np = P(1)\np.x = 2\nprint(p.x)"
    )
    with pytest.raises(NotAllowed):
        parse_program("class P:\n    def __init__(self, x):\n        self.x = x\nprint(3 .y)")


def test_super_calls_are_recorded_for_the_interpreter() -> None:
    program = parse_program(
        "class A(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    )
    (call, facts), *_ = program.classes.supers.items()
    assert facts.instance == "self" and facts.owner.name == "A"
    assert call.lineno == 3
    assert list(program.classes.bases.values()) == ["torch.nn.Module"]


def test_module_reserved_is_nn_modules_own_public_names() -> None:
    public = {name for name in dir(torch.nn.Module) if not name.startswith("_")}
    assert public | {"training"} == A.MODULE_RESERVED
