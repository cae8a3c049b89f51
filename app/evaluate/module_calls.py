"""Calling a program's modules: bounded, counted and recorded for the graph.

A module call (`net(x)`, `model(x)`) runs nn.Module.__call__ with two global
module hooks on for its duration (torch.nn.modules.module's
register_module_forward_pre_hook / _hook; removed when the outermost call
ends, so no other program and no other call sees them). For every module
call inside, the program's own and the ones torch's containers make
(Sequential calling its layers), they
- count a step and bound the output of torch's layers before they run
  (`_output_bound`: Linear(1, 10**6) on a (10**6, 1) input is refused);
- open a `ModuleStep` on the tracker, so every autograd node made inside is
  stamped with the module calls around it (the default style draws a box
  per call, app.render.module_boxes); the output of each torch layer is
  stamped when its call ends, while its step is still open, so the nodes it
  made inside get it too;
- count the elements of what torch's layers return.

A step's path names the module under the variable that holds the model:
a child by its name under its caller's path (`net.fc1`), a module the
program called itself by the first global name it was bound to, or found
in a named model (`net.fc1(x)`).
"""

from __future__ import annotations

import ast
import math
from typing import Any

import torch
from torch import nn
from torch.nn.modules import module as torch_module

from app.evaluate.classes import ProgramModule
from app.evaluate.machine import Machine
from app.evaluate.metashape import cap_numel
from app.evaluate.result import ModuleStep

Tensor = torch.Tensor
CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)
STATE = "nn"  # Machine.library_state key


class CallState:
    """One run's module calls: the hooks' handles, the open calls."""

    __slots__ = ("depth", "handles", "stack", "node", "calls", "paths", "children")

    def __init__(self) -> None:
        self.depth = 0
        self.handles: list[Any] = []
        self.stack: list[tuple[nn.Module, ModuleStep]] = []
        self.node: ast.AST | None = None  # the program's innermost module call
        self.calls = 0
        self.paths: dict[int, str] = {}
        # id(parent) -> {id(child): its name}, for the outermost call's duration:
        # a Sequential of n layers names each in O(1), not O(n).
        self.children: dict[int, dict[int, str]] = {}


def call_state(m: Machine) -> CallState:
    state = m.library_state.get(STATE)
    if state is None:
        state = m.library_state[STATE] = CallState()
    assert isinstance(state, CallState)
    return state


def type_name(module: nn.Module) -> str:
    """The class name torch prints (a program class's own name)."""
    return str(module._get_name())  # type: ignore[no-untyped-call]


def _is_layer(module: nn.Module) -> bool:
    """torch's own computing module (not a container, not a program's class)."""
    return not isinstance(module, (ProgramModule, *CONTAINERS))


def _rows(x: Any) -> int:
    """Elements of `x` per item of its last dimension (the batch of a layer)."""
    if not isinstance(x, Tensor) or x.dim() == 0:
        return 1
    return cap_numel(x) // max(1, x.shape[-1])


def _pairs(value: Any, n: int) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (value,) * n


def _windows(module: Any, x: Tensor, dims: int, channels: int | None) -> int:
    """Elements a convolution or pooling over the last `dims` dimensions makes."""
    sizes = list(x.shape[-dims:]) if x.dim() >= dims else [1] * dims
    lead = cap_numel(x) // max(1, math.prod(max(1, s) for s in sizes))
    if channels is not None and x.dim() > dims:
        lead = lead // max(1, x.shape[-dims - 1]) * channels
    kernel = _pairs(module.kernel_size, dims)
    stride = _pairs(module.stride or module.kernel_size, dims)
    dilation = _pairs(getattr(module, "dilation", 1), dims)
    padding = module.padding
    total = lead
    for i, size in enumerate(sizes):
        if padding == "same":
            out = size
        else:
            pad = 0 if padding == "valid" else _pairs(padding, dims)[i]
            span = size + 2 * pad - dilation[i] * (kernel[i] - 1) - 1
            out = max(
                0, span // max(1, stride[i]) + 1 + (1 if getattr(module, "ceil_mode", False) else 0)
            )
        total *= max(1, out)
    return total


def _output_bound(module: nn.Module, args: tuple[Any, ...]) -> int:
    """An upper bound of the elements a torch layer's call returns."""
    x = args[0] if args else None
    if not isinstance(x, Tensor):
        return 0
    if isinstance(module, nn.Linear):
        return _rows(x) * module.out_features
    if isinstance(module, nn.Bilinear):
        return _rows(x) * module.out_features
    if isinstance(module, nn.Embedding):
        return cap_numel(x) * module.embedding_dim
    if isinstance(module, nn.RNNBase):
        size = module.proj_size or module.hidden_size
        return _rows(x) * size * (2 if module.bidirectional else 1)
    if isinstance(module, nn.Conv1d | nn.Conv2d):
        dims = 1 if isinstance(module, nn.Conv1d) else 2
        return _windows(module, x, dims, module.out_channels)
    if isinstance(module, nn.MaxPool1d | nn.AvgPool1d):
        return _windows(module, x, 1, None)
    if isinstance(module, nn.MaxPool2d | nn.AvgPool2d):
        return _windows(module, x, 2, None)
    # Elementwise, normalising, reshaping or reducing: never more than its inputs.
    return sum(cap_numel(a) for a in args if isinstance(a, Tensor))


def _path(m: Machine, state: CallState, module: nn.Module) -> str:
    """The module's path under the variable that holds the model."""
    if state.stack:
        parent, frame = state.stack[-1]
        names = state.children.get(id(parent))
        if names is None:
            names = state.children[id(parent)] = {
                id(child): key for key, child in reversed(parent._modules.items())
            }
        key = names.get(id(module))
        if key is not None:
            return f"{frame.path}.{key}" if frame.path else key
    tracker = m.tracker
    name = tracker.module_names.get(id(module))
    if name is not None:
        return name
    known = state.paths.get(id(module))
    if known is not None:
        return known
    # A submodule called by the program itself (net.fc1(x)): under its model.
    path = ""
    for root, model in tracker.named_modules.items():
        for sub, child in model.named_modules():
            if child is module and sub:
                path = f"{root}.{sub}"
                break
        if path:
            break
    state.paths[id(module)] = path
    tracker.keep.append(module)
    return path


def _hooks(m: Machine, state: CallState) -> list[Any]:
    tracker = m.tracker
    guard = m.guard

    def before(module: nn.Module, args: tuple[Any, ...]) -> None:
        node = state.node
        assert node is not None
        m.step(node)
        if _is_layer(module):
            guard.check_numel(_output_bound(module, args))
        m.seed()  # Dropout draws
        frame = ModuleStep(
            _path(m, state, module),
            type_name(module),
            state.calls,
            len(tracker.loops),
            tracker.module_spans.get(id(module)),
        )
        state.calls += 1
        state.stack.append((module, frame))
        tracker.modules = (*tracker.modules, frame)

    def after(module: nn.Module, args: tuple[Any, ...], output: Any) -> None:
        # always_call: also when the call raised (output None), so the steps close.
        if not state.stack or state.stack[-1][0] is not module:
            return  # `before` refused this call
        _, frame = state.stack.pop()
        try:
            if output is not None:
                if _is_layer(module):
                    guard.count(output)
                if m.record and state.node is not None:
                    tracker.note(output, state.node)
        finally:
            if tracker.modules and tracker.modules[-1] is frame:
                tracker.modules = tracker.modules[:-1]

    return [
        torch_module.register_module_forward_pre_hook(before),
        torch_module.register_module_forward_hook(after, always_call=True),
    ]


def call_module(
    m: Machine, module: nn.Module, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    """`module(*args, **kwargs)`: nn.Module.__call__ with the module hooks on."""
    state = call_state(m)
    tracker = m.tracker
    outer_node, outer_modules = state.node, tracker.modules
    state.node = node
    if state.depth == 0:
        state.handles = _hooks(m, state)
    state.depth += 1
    try:
        result = module(*args, **kwargs)
    finally:
        state.depth -= 1
        if state.depth == 0:
            for handle in state.handles:
                handle.remove()
            state.handles = []
            state.stack.clear()
            state.children.clear()
        state.node = outer_node
        tracker.modules = outer_modules
    if m.record:
        tracker.note(result, node)
    return result
