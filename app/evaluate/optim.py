"""torch.optim's optimizers and schedulers as a program makes and steps them.

They are real torch objects (the table: app.parse.allowlist.optim). An
optimizer is made with the program's parameters (a list, as
`net.parameters()` gives it here, or a list of parameter groups); its
`step()` runs torch's own update, and `step(closure)` calls the program's
function back through a Callback (app.evaluate.callbacks), under the
program's steps, elements and call depth: an error that ends the program
inside the closure ends it, whatever torch makes of it. The state a step
makes (momentum buffers, Adam's moments) is counted toward the element
limits as soon as it exists; it is at most a few times the parameters,
which were counted when they were made.

`param_groups` is torch's own list of dicts: `for g in opt.param_groups:
g['lr'] *= 0.5` changes the learning rate as in torch (the schedulers do
the same). Nothing else of the optimizer is reachable (`state`, `defaults`,
hooks, state_dict: see the table's docstring).
"""

from __future__ import annotations

import ast
from typing import Any

import torch

# torch.optim imports torch._dynamo the first time an optimizer is made or
# stepped (torch._disable_dynamo, _use_grad_for_differentiable): 1 to 3 s,
# which would come out of the first training program's wall time in every
# new evaluation process. Imported here, it is paid once, in the fork server
# (app.workers.forkserver), before any worker exists; it starts no thread.
import torch._dynamo  # noqa: F401
from torch.optim import lr_scheduler

from app.errors import NotAllowed
from app.evaluate.callbacks import Callback
from app.evaluate.kinds import CALLERS, ValueKind, register
from app.evaluate.machine import Machine
from app.evaluate.values import BoundMethod, Function
from app.parse import allowlist as A
from app.parse.allowlist.optim import (
    OPTIMIZER,
    OPTIMIZER_ATTRIBUTES,
    OPTIMIZER_METHODS,
    SCHEDULER_ATTRIBUTES,
    SCHEDULER_METHODS,
)

Tensor = torch.Tensor


def _refuse(m: Machine, node: ast.AST, message: str) -> NotAllowed:
    line, column = m.position(node)
    return NotAllowed(message, line=line, column=column)


def make(m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
    """CALLERS["optim"]: an optimizer or a scheduler made by the program."""
    name = fn.name.rpartition(".")[2]
    if fn.entry.special == OPTIMIZER:
        most = A.OPTIMIZER_POSITIONAL[name]
        if len(args) > most:
            raise _refuse(
                m, node, f"{name}() takes at most {most} positional arguments here; name the rest"
            )
    if m.record:
        m.tracker.keep.append(args)
    return fn.target(*args, **kwargs)


CALLERS["optim"] = make


def _state_tensors(optimizer: torch.optim.Optimizer, parameters: list[Tensor]) -> list[Tensor]:
    found: list[Tensor] = []
    for parameter in parameters:
        for value in optimizer.state.get(parameter, {}).values():
            if isinstance(value, Tensor):
                found.append(value)
    return found


def _absent(m: Machine, value: Any, attr: str, node: ast.AST) -> Exception:
    name = type(value).__name__
    if hasattr(value, attr):
        hint = A.ATTRIBUTE_HINTS.get(attr)
        message = f".{attr} of {name} is not available here"
        return _refuse(m, node, f"{message}; {hint}" if hint else message)
    return AttributeError(f"'{name}' object has no attribute '{attr}'")


class OptimizerKind(ValueKind):
    label = "optimizers"

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        if attr in OPTIMIZER_ATTRIBUTES:
            return getattr(value, attr)
        if attr in OPTIMIZER_METHODS:
            return BoundMethod(value, attr)
        raise _absent(m, value, attr, node)

    def call_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        allowed = OPTIMIZER_METHODS.get(name)
        if allowed is None:
            raise _absent(m, value, name, node)
        for key in kwargs:
            if key not in allowed:
                raise _refuse(m, node, f".{name}() does not accept the keyword argument {key}=")
        if name == "zero_grad":
            return value.zero_grad(*args, **kwargs)
        return self.step(m, value, args, kwargs, node)

    def step(
        self, m: Machine, optimizer: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        """One update; the program's closure, if any, called back; new state counted."""
        if len(args) > 1:
            raise TypeError(f"step() takes at most 1 argument ({len(args)} given)")
        closure = args[0] if args else kwargs.get("closure")
        parameters = [p for group in optimizer.param_groups for p in group["params"]]
        fresh = [p for p in parameters if isinstance(p, Tensor) and p not in optimizer.state]
        if closure is not None:
            closure = Callback(m, closure, node)
        result = optimizer.step(closure)
        m.guard.count(_state_tensors(optimizer, fresh))
        return result


class SchedulerKind(ValueKind):
    label = "learning-rate schedulers"

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        if attr in SCHEDULER_ATTRIBUTES:
            return getattr(value, attr)
        if attr in SCHEDULER_METHODS:
            return BoundMethod(value, attr)
        raise _absent(m, value, attr, node)

    def call_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        if name not in SCHEDULER_METHODS:
            raise _absent(m, value, name, node)
        if args or kwargs:
            # step(epoch) is deprecated in torch; get_last_lr takes nothing.
            raise _refuse(m, node, f".{name}() takes no arguments here")
        return getattr(value, name)()


register(torch.optim.Optimizer, OptimizerKind())
register(lr_scheduler.LRScheduler, SchedulerKind())
