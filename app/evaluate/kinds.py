"""How a program sees the values a library brings: attributes, methods, items, calls.

Tensors, Python's own values and the wrappers of app.evaluate.values are
handled where they always were (app.evaluate.attributes, .calls,
.expressions). Every other kind of value a program can hold (a NumPy array,
a module, an optimizer, a figure, an instance of the program's own class)
is described by a `ValueKind` registered for its Python type, in the
library's own module of app.evaluate; the interpreter asks `kind_of(value)`
wherever a value's type decides what an operation means.

A kind allows nothing by default: each hook it does not override refuses,
with Python's own exception where Python would raise one (so a program may
catch it) and a NotAllowed where the value has the thing but this program
may not use it. `getattr` is only ever called with a name a kind's table
lists, never with one the program chose.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from app.errors import NotAllowed

if TYPE_CHECKING:
    from app.evaluate.machine import Machine
    from app.evaluate.values import Function


class ValueKind:
    """What a program may do with values of one type. Override what is allowed."""

    # How messages name these values: "ndarray values", "Linear modules".
    label = "values"
    # Whether `value.name(...)` is a method call (True) or a call of the
    # attribute's value (False: `model.fc1(x)` calls the submodule).
    method_calls = True

    def refuse(self, m: Machine, node: ast.AST, message: str) -> NotAllowed:
        line, column = m.position(node)
        return NotAllowed(message, line=line, column=column)

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        """`value.attr`; the default refuses."""
        raise self.refuse(m, node, f".{attr} is not available on {self.label}")

    def set(self, m: Machine, value: Any, attr: str, new: Any, node: ast.AST) -> None:
        """`value.attr = new`; the default refuses."""
        raise self.refuse(m, node, f"assigning .{attr} is not allowed on {self.label}")

    def call_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        """`value.name(*args, **kwargs)` (a step is already counted); the default refuses."""
        raise self.refuse(m, node, f".{name}() is not available on {self.label}")

    def type_name(self, value: Any) -> str:
        """The name Python's messages give the value's type."""
        return type(value).__name__

    def call(
        self, m: Machine, value: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        """`value(*args, **kwargs)`; the default is Python's TypeError."""
        raise TypeError(f"'{self.type_name(value)}' object is not callable")

    def get_item(self, m: Machine, value: Any, index: Any, node: ast.AST) -> Any:
        raise TypeError(f"'{self.type_name(value)}' object is not subscriptable")

    def set_item(self, m: Machine, value: Any, index: Any, new: Any, node: ast.AST) -> None:
        raise TypeError(f"'{self.type_name(value)}' object does not support item assignment")

    def length(self, m: Machine, value: Any) -> int:
        raise NoLength(f"object of type '{self.type_name(value)}' has no len()")

    def iterate(self, m: Machine, value: Any, node: ast.AST) -> Iterator[Any]:
        """The items of `value`; the length must be bounded before they are made."""
        raise TypeError(f"'{self.type_name(value)}' object is not iterable")

    # -- sizes the guards need before Python's protocol does the work -------------
    # (app.evaluate.costs, app.evaluate.guards: str(), print and f-strings of
    # a value; ==, <, in, count, index, max and min of lists that hold it)

    def text_bounds(self, value: Any) -> tuple[int, int]:
        """At least and at most the characters str(value) or repr(value) makes.
        The default says "at most 200": a kind whose text grows with its value
        (an ndarray, a module listing its submodules) must say how much."""
        return 0, 200

    def array_shape(self, value: Any) -> tuple[int, ...] | None:
        """The shape of a value that compares element by element, broadcasting
        (an ndarray); None, the default, for one that compares as a whole."""
        return None


class NoLength(TypeError):
    """A value of a kind that has no length: len() says so in these words,
    iteration in its own ("'A' object is not iterable")."""


_KINDS: dict[type, ValueKind] = {}
_RESOLVED: dict[type, ValueKind | None] = {}


def register(cls: type, kind: ValueKind) -> None:
    """Describe values of `cls` (and of its subclasses, unless they have their own)."""
    _KINDS[cls] = kind
    _RESOLVED.clear()


def kind_of(value: Any) -> ValueKind | None:
    """The kind registered for the value's type or its nearest base, if any."""
    cls = type(value)
    try:
        return _RESOLVED[cls]
    except KeyError:
        pass
    found = next((_KINDS[base] for base in cls.__mro__ if base in _KINDS), None)
    _RESOLVED[cls] = found
    return found


def type_name(value: Any) -> str:
    """The name Python gives the value's type: a program's object by its class
    (`A`), never the class that stands for every such instance."""
    kind = kind_of(value)
    return kind.type_name(value) if kind is not None else type(value).__name__


# How the functions of a library's namespaces are called, by `Function.kind`
# (app.evaluate.namespaces.CALL_KINDS names the kind of each namespace): the
# caller checks and bounds the call itself. A step is already counted and
# the keywords checked against the function's table entry. "torch",
# "math", "dual" and "builtin" are app.evaluate.calls' own.
Caller = Callable[["Machine", "Function", list[Any], dict[str, Any], ast.AST], Any]
CALLERS: dict[str, Caller] = {}
