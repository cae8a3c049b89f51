"""Tensor hooks: `x.register_hook(fn)` with one of the program's functions.

The hook reaches torch as a Callback (app.evaluate.callbacks): the engine
calls it during a backward pass, in the interpreter, under the program's
limits; what it returns replaces the gradient, and torch itself refuses a
gradient of another shape ("hook ... has changed the size of value"), so a
hook cannot make the engine carry a huge tensor. A limit reached inside the
hook ends the program, whatever the engine makes of the exception on its
way out (Machine.stopped).

The handle a registration returns is torch's RemovableHandle; the program
may call its `remove()` and nothing else.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import torch
from torch.utils.hooks import RemovableHandle

from app.errors import NotAllowed
from app.evaluate.callbacks import Callback
from app.evaluate.kinds import ValueKind, register
from app.evaluate.machine import Machine
from app.evaluate.transforms import Transformed
from app.evaluate.values import BoundMethod, Function, UserFunction

Tensor = torch.Tensor
CALLABLE = (UserFunction, Function, BoundMethod, Transformed)


def _register(
    m: Machine, tensor: Tensor, args: list[Any], kwargs: dict[str, Any], node: ast.AST, name: str
) -> Any:
    hook = args[0] if len(args) == 1 else kwargs.get("hook")
    if len(args) + len(kwargs) != 1 or hook is None:
        raise TypeError(f"{name}() takes one function")
    if not isinstance(hook, CALLABLE):
        line, column = m.position(node)
        raise NotAllowed(
            f"{name}() takes a function (def or lambda) of the program, or print",
            line=line,
            column=column,
        )
    handle = getattr(tensor, name)(Callback(m, hook, node))
    if m.record and name == "register_hook":
        m.tracker.after_hook(tensor)
    return handle


def _register_hook(
    m: Machine, tensor: Tensor, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    return _register(m, tensor, args, kwargs, node, "register_hook")


def _register_post(
    m: Machine, tensor: Tensor, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    return _register(m, tensor, args, kwargs, node, "register_post_accumulate_grad_hook")


class HandleKind(ValueKind):
    label = "hook handles"

    def call_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        if name != "remove":
            return super().call_method(m, value, name, args, kwargs, node)
        if args or kwargs:
            raise TypeError("remove() takes no arguments")
        value.remove()
        return None


register(RemovableHandle, HandleKind())

METHOD_SPECIALS: dict[str, Callable[..., Any]] = {
    "register_hook": _register_hook,
    "register_post_accumulate_grad_hook": _register_post,
}
