"""Evaluations built by hand from real torch code, for the graph and render tests.

`evaluation_of(program)` runs a plain Python function that does torch work
and returns `locals()`, then fills an Evaluation as the evaluate stage would:
first names of tensors, the output, and a real BackwardTrace recorded by
hooks on every autograd node (pre-hooks for the order, post-hooks for the
gradients in and out), plus the gradients of named intermediates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from app.evaluate.result import BackwardTrace, Evaluation, Origin

Program = Callable[[], dict[str, Any]]


def reachable(root: Any) -> list[Any]:
    """Every autograd node reachable from `root`, iteratively."""
    found: list[Any] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        found.append(fn)
        stack.extend(u for u, _ in fn.next_functions)
    return found


def record_backward(
    output: torch.Tensor,
    named: dict[str, torch.Tensor],
    *,
    retain_graph: bool = True,
) -> tuple[BackwardTrace, dict[int, torch.Tensor]]:
    """Run backward from `output` (its .sum() if not a scalar) with hooks on every node."""
    root_tensor = output if output.numel() == 1 else output.sum()
    trace = BackwardTrace(root=root_tensor.grad_fn, seed=torch.ones_like(root_tensor))
    handles = []
    for fn in reachable(root_tensor.grad_fn):

        def pre(grad_outputs: Any, fn: Any = fn) -> None:
            trace.order.append(fn)

        def post(grad_inputs: Any, grad_outputs: Any, fn: Any = fn) -> None:
            trace.grad_inputs[fn] = tuple(grad_inputs)
            trace.grad_outputs[fn] = tuple(grad_outputs)

        handles.append(fn.register_prehook(pre))
        handles.append(fn.register_hook(post))
    grads: dict[int, torch.Tensor] = {}
    hooked: set[int] = set()
    for t in named.values():
        if t.requires_grad and not t.is_leaf and id(t) not in hooked:
            hooked.add(id(t))

            def keep(grad: torch.Tensor, key: int = id(t)) -> None:
                grads[key] = grads[key] + grad if key in grads else grad

            handles.append(t.register_hook(keep))
    root_tensor.backward(retain_graph=retain_graph)
    for handle in handles:
        handle.remove()
    return trace, grads


def evaluation_of(
    program: Program,
    output: str = "y",
    *,
    backward: bool = True,
    retain_graph: bool = True,
    node_origins: dict[Any, Origin] | None = None,
    tensor_origins: dict[int, Origin] | None = None,
) -> Evaluation:
    """Run `program` (it returns `locals()`) and describe it as the evaluate stage would."""
    names = program()
    origins = names.pop("origins", None)
    tensor_names: dict[int, str] = {}
    named: dict[str, torch.Tensor] = {}
    for name, value in names.items():
        if isinstance(value, torch.Tensor):
            tensor_names.setdefault(id(value), name)
            named[name] = value
    result = names[output]
    ev = Evaluation(
        output=result,
        output_name=output,
        tensor_names=tensor_names,
        named_tensors=named,
        node_origins=dict(node_origins or {}),
        tensor_origins=dict(tensor_origins or {}),
    )
    if isinstance(origins, dict):
        for key, origin in origins.items():
            if isinstance(key, int):
                ev.tensor_origins[key] = origin
            else:
                ev.node_origins[key] = origin
    ev.keep.extend(named.values())
    if backward and isinstance(result, torch.Tensor) and result.requires_grad:
        trace, grads = record_backward(result, named, retain_graph=retain_graph)
        ev.backward = trace
        ev.intermediate_grads = grads
        ev.keep.extend(trace.order)
    ev.keep.extend(ev.node_origins)
    for name, t in named.items():
        if t.requires_grad:
            ev.gradients[name] = t.grad if t.is_leaf else ev.intermediate_grads.get(id(t))
    return ev
