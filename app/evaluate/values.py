"""The values a program can hold besides numbers, strings, containers and tensors.

A program never holds a real module, function or autograd node: it holds
these wrappers, which expose only what the allowlist names and print
deterministically (no memory addresses: the same program prints the same
bytes in any process).
"""

from __future__ import annotations

import ast
import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from app.evaluate.addresses import Addresses
from app.parse.allowlist import Fn


class Namespace:
    """A module as a program sees it: a fixed table of members."""

    __slots__ = ("path", "members")

    def __init__(self, path: str, members: dict[str, Any]) -> None:
        self.path = path
        self.members = members

    def __repr__(self) -> str:
        return f"<module {self.path!r}>"


class Function:
    """An allowlisted callable: a torch function, a builtin, a bare math name.

    `kind` says how the evaluator calls it: "torch" (the target as is),
    "math" (a Python number first argument becomes a tensor), "dual"
    (Python semantics unless the first argument is a tensor), "builtin"
    (our own implementation in app.evaluate.builtins), "special" (named by
    `entry.special`).
    """

    __slots__ = ("name", "entry", "target", "kind", "python")

    def __init__(
        self,
        name: str,
        entry: Fn,
        target: Callable[..., Any],
        kind: str,
        python: Callable[..., Any] | None = None,
    ) -> None:
        self.name = name
        self.entry = entry
        self.target = target
        self.kind = kind
        self.python = python  # the Python-semantics half of a "dual" name

    def __repr__(self) -> str:
        if self.kind in ("builtin", "dual"):
            if self.name in _CLASSES:
                return f"<class '{self.name}'>"
            return f"<built-in function {self.name}>"
        if getattr(self.target, "__name__", "") == "<lambda>":  # make_dot's stand-in
            return f"<function {self.name.rpartition('.')[2]} at {id(self):#x}>"
        return repr(self.target)  # torch's own: <built-in method sin of type object at ...>


# Builtins that are classes in Python (print(range) shows <class 'range'>).
_CLASSES = frozenset("range float int bool str list tuple dict enumerate zip".split())


@dataclass(eq=False, slots=True)
class UserFunction:
    """A function the program defined with `def` or `lambda`: a value like any other.

    `mode` is the grad mode a `@torch.no_grad()` decorator puts its calls in."""

    node: ast.FunctionDef | ast.Lambda
    closure: Any  # the Scope the def ran in
    defaults: tuple[Any, ...]
    kw_defaults: dict[str, Any]
    local_names: frozenset[str]
    mode: GradMode | None = None
    qualname: str = ""  # `outer.<locals>.inner`, as Python prints it
    params: tuple[str, ...] = field(init=False)
    positional: int = field(init=False)

    def __post_init__(self) -> None:
        args = self.node.args
        self.params = tuple(a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])
        self.positional = len(args.posonlyargs) + len(args.args)

    @property
    def name(self) -> str:
        return "<lambda>" if isinstance(self.node, ast.Lambda) else self.node.name

    def __repr__(self) -> str:
        return f"<function {self.qualname or self.name} at {id(self):#x}>"


class BoundMethod:
    """`x.sum` without the call: calling it later is the method call."""

    __slots__ = ("receiver", "name")

    def __init__(self, receiver: Any, name: str) -> None:
        self.receiver = receiver
        self.name = name

    def __repr__(self) -> str:
        """As Python prints it: `<bound method Net.forward of Net(...)>` for a
        method of the program's class, the library's own text otherwise."""
        from app.evaluate.classes import class_of  # classes imports this module

        receiver, name = self.receiver, self.name
        cls = class_of(receiver)
        if cls is not None and name in cls.methods:
            return f"<bound method {cls.name}.{name} of {receiver!r}>"
        method = getattr(receiver, name, None)
        if callable(method):
            return repr(method)
        kind = type(receiver).__name__
        return f"<built-in method {name} of {kind} object at {id(receiver):#x}>"


class GradFn:
    """`tensor.grad_fn` as a program sees it: its name and its next functions.

    One wrapper per autograd node (`views` is shared by a run), so
    `y.grad_fn is y.grad_fn` holds as it does in torch."""

    __slots__ = ("node", "views")

    def __init__(self, node: Any, views: dict[Any, GradFn]) -> None:
        self.node = node
        self.views = views

    @staticmethod
    def of(node: Any, views: dict[Any, GradFn]) -> GradFn | None:
        if node is None:
            return None
        view = views.get(node)
        if view is None:
            view = views[node] = GradFn(node, views)
        return view

    def name(self) -> str:
        return str(self.node.name())

    @property
    def next_functions(self) -> tuple[tuple[GradFn | None, int], ...]:
        return tuple(
            (GradFn.of(fn, self.views), int(index)) for fn, index in self.node.next_functions
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GradFn) and other.node is self.node

    def __hash__(self) -> int:
        return hash(self.node)

    def __repr__(self) -> str:
        return repr(self.node)  # <AddBackward0 object at 0x...>: the run maps the address


class GradMode:
    """What `torch.no_grad()`, `torch.enable_grad()` and `torch.inference_mode()`
    return: a `with` context, or a decorator of a function."""

    __slots__ = ("mode",)

    def __init__(self, mode: str) -> None:
        self.mode = mode  # no_grad, enable_grad, inference_mode, no_op

    def context(self) -> Any:
        if self.mode == "enable_grad":
            return torch.enable_grad()
        if self.mode == "inference_mode":
            return torch.inference_mode()
        if self.mode == "no_op":
            return contextlib.nullcontext()
        return torch.no_grad()

    def __repr__(self) -> str:
        where = "torch.autograd.grad_mode" if self.mode != "no_op" else "contextlib"
        kind = "nullcontext" if self.mode == "no_op" else self.mode
        return f"<{where}.{kind} object at {id(self):#x}>"


class ExceptionValue:
    """The `e` of `except Exception as e`: printable, nothing else.

    `message` is what str(e) gives, `arguments` what its repr shows between
    the parentheses (`KeyError('b')` prints as 'b', `AssertionError()` as
    nothing), both cleaned of torch's stacks and of addresses.
    """

    __slots__ = ("arguments", "kind", "message")

    def __init__(self, kind: str, message: str, arguments: str) -> None:
        self.kind = kind
        self.message = message
        self.arguments = arguments

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{self.kind}({self.arguments})"


MISSING: Any = object()

# Python's default repr, `<... object at 0x7f...>`: its address would differ
# from one run to the next.
_ADDRESS = re.compile(r" at 0x[0-9a-f]+(?=>)")


def shown(value: Any, text: str, addresses: Addresses | None = None) -> str:
    """`text`, the str() or format() of `value`, as printed: each memory
    address replaced by the run's stand-in for it (app.evaluate.addresses),
    or cut out without `addresses`. A string is the program's own text and
    is printed as it is."""
    if isinstance(value, str):
        return text
    return _ADDRESS.sub("", text) if addresses is None else addresses.sub(text)
