"""torch.nn modules as a program makes and inspects them.

A program's modules are real torch modules, made by calling their class
(the nn table, app.parse.allowlist.nn): a layer's parameters are bounded
before any is allocated, from its arguments (app.evaluate.layer_sizes), or
for a layer without a rule by making it first on the "meta" device, which
has shapes and no storage; then it is made for real, its parameters and
buffers counted toward the element limits. `nn.init` fills tensors in place.
Calling a module is app.evaluate.module_calls.

ModuleKind is what a program may do with a module (app.evaluate.kinds):
read the attributes and call the methods of the nn table, index and take
the length of containers, assign `.weight`/`.bias`. A program's own
nn.Module classes (app.evaluate.classes) get their attributes and methods
first and these after.

After the run, `name_parameters` names every parameter of the modules the
program's variables hold by its path under the variable (`net.fc1.weight`):
in the graph, the gradients table and the page's Parameters table.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn

from app.errors import LimitExceeded, NotAllowed
from app.evaluate.classes import ProgramModule
from app.evaluate.classes import ProgramModuleKind as ProgramMembers
from app.evaluate.devices import DTYPES, NO_CUDA, require_cpu
from app.evaluate.encode import encode_tensor
from app.evaluate.kinds import CALLERS, NoLength, ValueKind, register
from app.evaluate.layer_sizes import layer_sizes
from app.evaluate.machine import Machine
from app.evaluate.module_calls import CONTAINERS, call_module, type_name
from app.evaluate.values import BoundMethod, Function
from app.parse import allowlist as A
from app.parse.allowlist.nn import LAYER, MODULE_ATTRIBUTES, MODULE_METHODS, PARAMETER

Tensor = torch.Tensor
# Parameters listed in the answer's table at most (a ModuleList of 5,000 layers).
PARAMETER_ROWS = 1_000


def _refuse(m: Machine, node: ast.AST, message: str) -> NotAllowed:
    line, column = m.position(node)
    return NotAllowed(message, line=line, column=column)


# -- making modules -------------------------------------------------------------


def _loose(values: Any) -> float:
    """A generous product of every number in the arguments."""
    bound = 1.0
    for value in values:
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float) and math.isfinite(value):
            bound *= abs(value) + 1
        elif isinstance(value, list | tuple):
            bound *= _loose(value)
    return bound


def _bound_layer(m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any]) -> None:
    """Refuse a layer whose parameters would pass the element limits: it is
    made on "meta" first, where its tensors have sizes and no storage."""
    guard = m.guard
    sizes = layer_sizes(fn.target, args, kwargs)
    if sizes is None:
        try:
            meta = fn.target(*args, **kwargs, device="meta")
        except (TypeError, ValueError, RuntimeError, OverflowError, IndexError):
            # torch refuses the arguments; the real call may run (and raise
            # torch's own message) only when even a generous bound fits.
            loose = _loose([*args, *kwargs.values()])
            if loose > guard.max_elements:
                raise guard.too_big(loose) from None
            return
        sizes = [t.numel() for t in (*meta.parameters(), *meta.buffers())]
    guard.check_numel(max(sizes, default=0))
    if guard.total + sum(sizes) > m.limits.total_elements:
        raise LimitExceeded(
            "total_elements",
            m.limits.total_elements,
            f"this layer's {sum(sizes):,} parameters would take the program past "
            f"{m.limits.total_elements:,} tensor elements in all",
        )


def construct(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    """CALLERS["nn"]: a module class or nn.Parameter called by the program."""
    special = fn.entry.special
    if special == PARAMETER:  # the tensor it is given: nothing new is made
        parameter = fn.target(*args, **kwargs)
        if m.record:
            m.tracker.note(parameter, node)
        return parameter
    if special == LAYER:
        _bound_layer(m, fn, args, kwargs)
    if fn.entry.random:
        m.seed()
    module = fn.target(*args, **kwargs)
    # A layer's own tensors (containers hold modules made before, counted then).
    made = [*module.parameters(recurse=False), *module.buffers(recurse=False)]
    if special == LAYER:
        m.guard.count(made)
    if m.record:
        m.tracker.module_spans[id(module)] = m.tracker.span(node)
        m.tracker.keep.append(module)
        for tensor in made:
            m.tracker.note(tensor, node)  # a parameter is made where its layer is
    return module


def initialise(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    """CALLERS["nn.init"]: nn.init's in-place fills (nothing new is made)."""
    if fn.entry.random:
        m.seed()
    result = fn.target(*args, **kwargs)
    if isinstance(result, Tensor) and m.record:
        m.tracker.note(result, node)
    return result


CALLERS["nn"] = construct
CALLERS["nn.init"] = initialise


# -- what a program may do with a module ----------------------------------------


def _listed(m: Machine, items: Iterator[Any]) -> list[Any]:
    out = list(items)
    m.guard.new_sequence(len(out))
    return out


_LISTS = frozenset(
    "parameters named_parameters buffers named_buffers children named_children modules "
    "named_modules keys items values".split()
)


_DEVICE_METHODS = frozenset({"to", "cpu", "cuda"})


def _to_device(
    m: Machine, module: nn.Module, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> nn.Module:
    """`model.to(device)` and `model.cpu()` on a cpu-only service: the module
    itself, as torch returns it when nothing moves; `model.cuda()` fails as
    this torch fails. A dtype would convert every parameter: refused."""
    if name == "cuda":
        raise AssertionError(NO_CUDA)
    devices = [*args, kwargs.get("device")] if name == "to" else []
    for device in devices:
        if device in DTYPES or isinstance(device, Tensor):
            raise _refuse(
                m,
                node,
                "changing a module's dtype is not available here; convert the data to its "
                "parameters' dtype instead (x.float())",
            )
        require_cpu(m, device, node)
    return module


class ModuleKind(ValueKind):
    label = "modules"

    def _absent(self, m: Machine, module: nn.Module, attr: str, node: ast.AST) -> Exception:
        """Python's AttributeError, or a refusal if torch's module has it."""
        name = type_name(module)
        if hasattr(type(module), attr) or attr in module.__dict__:
            what = "method" if callable(getattr(type(module), attr, None)) else "attribute"
            message = f"the {what} .{attr} of {name} modules is not available here"
            hint = A.ATTRIBUTE_HINTS.get(attr)
            return _refuse(m, node, f"{message}; {hint}" if hint else message)
        return AttributeError(f"'{name}' object has no attribute '{attr}'")

    def _has_method(self, module: nn.Module, name: str) -> bool:
        return name in MODULE_METHODS and hasattr(type(module), name)

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        children = value.__dict__.get("_modules")
        if children is not None and attr in children:
            return children[attr]
        if attr in MODULE_ATTRIBUTES and hasattr(value, attr):
            return getattr(value, attr)
        if self._has_method(value, attr):
            return BoundMethod(value, attr)
        raise self._absent(m, value, attr, node)

    def set(self, m: Machine, value: Any, attr: str, new: Any, node: ast.AST) -> None:
        children = value.__dict__.get("_modules")
        replaces_child = children is not None and attr in children
        if attr in A.MODULE_SETTABLE or replaces_child:
            setattr(value, attr, new)  # torch checks: a Parameter or None, a Module or None
            return
        raise _refuse(m, node, f"assigning .{attr} is not allowed on {type_name(value)} modules")

    def call(
        self, m: Machine, value: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        return call_module(m, value, args, kwargs, node)

    def call_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        children = value.__dict__.get("_modules")
        if children is not None and name in children:
            return m.call(children[name], args, kwargs, node)  # model.W0(x)
        if not self._has_method(value, name):
            if name in MODULE_ATTRIBUTES and hasattr(value, name):
                return m.call(getattr(value, name), args, kwargs, node)
            raise self._absent(m, value, name, node)
        allowed = MODULE_METHODS[name]
        if allowed is not None:
            for key in kwargs:
                if key not in allowed:
                    raise _refuse(
                        m, node, f".{name}() does not accept the keyword argument {key}= here"
                    )
        if name == "forward":
            return call_module(m, value, args, kwargs, node)
        if name in _DEVICE_METHODS:
            return _to_device(m, value, name, args, kwargs, node)
        if name == "reset_parameters":
            m.seed()
        method = getattr(value, name)
        if name in _LISTS:
            return _listed(m, method(*args, **kwargs))
        return method(*args, **kwargs)

    def get_item(self, m: Machine, value: Any, index: Any, node: ast.AST) -> Any:
        if isinstance(value, CONTAINERS):
            return value[index]
        raise TypeError(f"'{type_name(value)}' object is not subscriptable")

    def set_item(self, m: Machine, value: Any, index: Any, new: Any, node: ast.AST) -> None:
        if isinstance(value, CONTAINERS):
            value[index] = new
            return
        raise TypeError(f"'{type_name(value)}' object does not support item assignment")

    def length(self, m: Machine, value: Any) -> int:
        if isinstance(value, CONTAINERS):
            return len(value)
        raise NoLength(f"object of type '{type_name(value)}' has no len()")

    def iterate(self, m: Machine, value: Any, node: ast.AST) -> Iterator[Any]:
        if isinstance(value, CONTAINERS):
            return iter(_listed(m, iter(value)))
        raise TypeError(f"'{type_name(value)}' object is not iterable")


MODULES = ModuleKind()


class ProgramModuleKind(ProgramMembers):
    """A program's nn.Module class: its own attributes and methods, then a module's."""

    def module_get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        return MODULES.get(m, value, attr, node)

    def module_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        return MODULES.call_method(m, value, name, args, kwargs, node)

    def call(
        self, m: Machine, value: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        return call_module(m, value, args, kwargs, node)


register(nn.Module, MODULES)
register(ProgramModule, ProgramModuleKind())


# -- after the run ------------------------------------------------------------------


def name_parameters(m: Machine) -> list[tuple[str, Tensor]]:
    """Name every parameter of the modules the program's variables hold by its
    path under the variable (`net.fc1.weight`): the first variable that held
    its model, which a parameter shared by two models keeps; the tracker's
    names then carry it into the graph and the gradients table."""
    tracker = m.tracker
    found: list[tuple[str, Tensor]] = []
    seen: set[int] = set()
    for root, first in tracker.named_modules.items():
        # The model the name holds at the end (`net = Net()` twice: the second).
        model = m.globals.vars.get(root)
        if not isinstance(model, nn.Module):
            model = first
        for name, parameter in model.named_parameters():
            if id(parameter) not in seen:
                seen.add(id(parameter))
                found.append((f"{root}.{name}", parameter))
    for path, parameter in found:
        earlier = tracker.tensor_names.get(id(parameter))
        if earlier is None:
            tracker.name(path, parameter)
            continue
        if earlier != path and tracker.named_tensors.get(earlier) is parameter:
            del tracker.named_tensors[earlier]  # one row per parameter, under its path
        tracker.tensor_names[id(parameter)] = path  # the model's name wins
        tracker.named_tensors.setdefault(path, parameter)
    return found[:PARAMETER_ROWS]


def parameter_rows(parameters: list[tuple[str, Tensor]]) -> list[dict[str, Any]]:
    """The answer's Parameters table: name, shape, elements, gradient norm (None
    without a gradient)."""
    rows = []
    for name, parameter in parameters:
        grad = parameter.grad
        norm = None
        if grad is not None:
            with torch.no_grad():
                norm = encode_tensor(torch.linalg.vector_norm(grad.detach()))["value"]
        rows.append(
            {
                "name": name,
                "shape": list(parameter.shape),
                "numel": parameter.numel(),
                "grad_norm": norm,
            }
        )
    return rows
