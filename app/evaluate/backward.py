"""Backward passes: recording what flowed, and the automatic one.

Before any backward pass runs (the program's `.backward()`,
`torch.autograd.backward`, `torch.autograd.grad`, or the automatic pass on
the output), the graph is walked from its roots, iteratively, and a hook is
put on every autograd node; each hook records the node's place in the
engine's order and its grad_inputs / grad_outputs into a BackwardTrace. The
hooks are removed as soon as the pass ends: a gradient-descent loop pays a
couple of microseconds per node and pass.

Only the last few traces are kept (a loop of a thousand backward calls
keeps sixteen): the one the answer shows is the last pass through the
output (see `select`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import torch

from app.evaluate.result import AutogradNode, BackwardTrace

Tensor = torch.Tensor
KEEP_TRACES = 16


def _record(
    trace: BackwardTrace,
    node: AutogradNode,
    grad_inputs: tuple[Tensor | None, ...],
    grad_outputs: tuple[Tensor | None, ...],
) -> None:
    trace.order.append(node)
    trace.grad_inputs[node] = tuple(grad_inputs)
    trace.grad_outputs[node] = tuple(grad_outputs)


def reachable(root: AutogradNode) -> set[AutogradNode]:
    """Every autograd node reachable from `root` (iteratively: graphs can be deep)."""
    seen: set[AutogradNode] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for child, _ in node.next_functions:
            if child is not None and child not in seen:
                stack.append(child)
    return seen


class Backward:
    def __init__(self) -> None:
        self.traces: deque[BackwardTrace] = deque(maxlen=KEEP_TRACES)
        # Set when the program itself calls backward: no automatic pass then.
        self.called = False

    def run(
        self,
        roots: Sequence[Any],
        seed: Any,
        action: Callable[[], Any],
    ) -> Any:
        """Run `action` (a backward pass from `roots`) with the trace hooks on."""
        tensors = [r for r in roots if isinstance(r, Tensor)]
        first = tensors[0] if tensors else None
        if seed is None and first is not None and first.numel() == 1:
            seed = torch.ones_like(first.detach())
        trace = BackwardTrace(
            root=first.grad_fn if first is not None else None,
            seed=seed if isinstance(seed, Tensor) else None,
        )
        handles = []
        stack = [t.grad_fn for t in tensors if t.grad_fn is not None]
        seen: set[AutogradNode] = set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            handles.append(node.register_hook(partial(_record, trace, node)))
            for child, _ in node.next_functions:
                if child is not None and child not in seen:
                    stack.append(child)
        try:
            result = action()
        finally:
            for handle in handles:
                handle.remove()
        self.traces.append(trace)
        return result

    def select(self, output: Any) -> BackwardTrace | None:
        """The last pass rooted at the output's grad_fn, else the last through it."""
        node = output.grad_fn if isinstance(output, Tensor) else None
        if node is None:
            return None
        for trace in reversed(self.traces):
            if trace.root is node:
                return trace
        for trace in reversed(self.traces):
            if node in trace.grad_outputs:
                return trace
        return None
