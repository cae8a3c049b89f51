"""A program's own autograd Functions: `class Exp(torch.autograd.Function)`.

    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            result, = ctx.saved_tensors
            return grad_output * result

    y = Exp.apply(x)

The class statement is the program's (app.evaluate.classes makes its
UserClass); `Exp.apply` makes, once per run, a real torch.autograd.Function
subclass named as the program's class, so torch names its nodes as it
would (`ExpBackward`, in the graph too). Its forward, setup_context and
backward are ours: each runs the program's method through a Callback
(app.evaluate.callbacks), so the engine's call of `backward` runs in the
interpreter, under the program's limits; a limit reached there ends the
program whatever the engine makes of it (Machine.stopped). torch itself
checks what backward returns (the number of gradients, their shapes).

The program never holds torch's `ctx`: it gets a `Context` that offers
save_for_backward, saved_tensors, needs_input_grad, mark_dirty,
mark_non_differentiable and set_materialize_grads, and keeps the
attributes the program sets on it (`ctx.alpha = alpha`) in a dict of its
own, never on torch's object.
"""

from __future__ import annotations

import ast
from typing import Any

import torch

from app.errors import NotAllowed
from app.evaluate import classes
from app.evaluate.callbacks import Callback
from app.evaluate.kinds import ValueKind, register
from app.evaluate.machine import Machine
from app.evaluate.values import BoundMethod
from app.parse import allowlist as A

PATH = "torch.autograd.Function"


class Context:
    """`ctx` as the program's forward, setup_context and backward see it."""

    __slots__ = ("ctx",)

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx

    @property
    def attrs(self) -> dict[str, Any]:
        found: dict[str, Any] | None = getattr(self.ctx, "_program_attrs", None)
        if found is None:
            found = {}
            self.ctx._program_attrs = found  # a name no program can spell
        return found

    def __repr__(self) -> str:
        return repr(self.ctx)  # <torch.autograd.function.ExpBackward object at 0x...>


class ContextKind(ValueKind):
    label = "autograd contexts"

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        if attr in A.CONTEXT_ATTRIBUTES:
            return getattr(value.ctx, attr)
        if attr in A.CONTEXT_METHODS:
            return BoundMethod(value, attr)
        attrs = value.attrs
        if attr in attrs:
            return attrs[attr]
        raise AttributeError(f"'{type(value.ctx).__name__}' object has no attribute '{attr}'")

    def set(self, m: Machine, value: Any, attr: str, new: Any, node: ast.AST) -> None:
        if attr in A.FUNCTION_RESERVED:
            super().set(m, value, attr, new, node)
        value.attrs[attr] = new

    def call_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        if name in A.CONTEXT_METHODS:
            return getattr(value.ctx, name)(*args, **kwargs)
        if name in value.attrs:
            return m.call(value.attrs[name], args, kwargs, node)
        return super().call_method(m, value, name, args, kwargs, node)


register(Context, ContextKind())


class Apply:
    """`Exp.apply`: calling it runs the program's Function."""

    __slots__ = ("cls",)

    def __init__(self, cls: classes.UserClass) -> None:
        self.cls = cls

    def __repr__(self) -> str:
        return f"<built-in method apply of FunctionMeta object at {id(self.cls):#x}>"


class ApplyKind(ValueKind):
    label = "Function.apply"

    def call(
        self, m: Machine, value: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        real = _torch_class(m, value.cls, node)
        result = real.apply(*args, **kwargs)
        if m.stopped is not None:  # the engine may have swallowed the program's end
            raise m.stopped
        return m.made(result, node)


register(Apply, ApplyKind())


def _torch_class(m: Machine, cls: classes.UserClass, node: ast.AST) -> Any:
    """The real Function subclass standing for the program's class in this run."""
    made: dict[int, tuple[classes.UserClass, Any]] = m.functions
    found = made.get(id(cls))
    if found is not None:
        return found[1]
    methods = cls.methods
    forward = methods.get("forward")
    backward = methods.get("backward")
    setup = methods.get("setup_context")
    if forward is None:
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )
    namespace: dict[str, Any] = {}
    if setup is not None:  # the newer style: forward(*inputs), then setup_context

        def forward_inputs(*args: Any, **kwargs: Any) -> Any:
            return Callback(m, forward, node)(*args, **kwargs)

        def setup_context(ctx: Any, inputs: Any, output: Any) -> Any:
            return Callback(m, setup, node)(Context(ctx), inputs, output)

        namespace["forward"] = staticmethod(forward_inputs)
        namespace["setup_context"] = staticmethod(setup_context)
    else:

        def forward_ctx(ctx: Any, *args: Any, **kwargs: Any) -> Any:
            return Callback(m, forward, node)(Context(ctx), *args, **kwargs)

        namespace["forward"] = staticmethod(forward_ctx)
    if backward is not None:

        def backward_grads(ctx: Any, *grads: Any) -> Any:
            return Callback(m, backward, node)(Context(ctx), *grads)

        namespace["backward"] = staticmethod(backward_grads)
    namespace["__module__"] = "__main__"
    # A Python class named as the program's class (an identifier the parser
    # checked); every method in it is one of the above, none the program's text.
    real = type(cls.name, (torch.autograd.Function,), namespace)
    made[id(cls)] = (cls, real)  # the class kept alive: its id stays its own
    return real


class FunctionBase(classes.BaseHandler):
    """How a program's Function subclass behaves as a class."""

    def instantiate(
        self,
        m: Machine,
        cls: classes.UserClass,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        line, column = m.position(node)
        raise NotAllowed(
            f"a Function is not instantiated: call {cls.name}.apply(...) "
            "with static forward and backward methods",
            line=line,
            column=column,
        )

    def super_init(
        self, m: Machine, instance: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> None:
        return None

    def class_attribute(self, m: Machine, cls: classes.UserClass, attr: str, node: ast.AST) -> Any:
        if attr == "apply":
            return Apply(cls)
        return super().class_attribute(m, cls, attr, node)


classes.BASES[PATH] = FunctionBase()
assert PATH in A.CLASS_BASES
