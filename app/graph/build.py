"""From an Evaluation to a Graph: the walk, then what the evaluation knows.

The walk gives structure and make_dot's labels. This module adds, per node,
the user's name, shape, dtype, value and gradient (encoded, when at most
FULL_ELEMENTS elements), the source span and loop iterations that made it,
and its step in the backward pass; per edge, the gradient that flowed along
it (from the hooks the evaluate stage installed, Evaluation.backward).
"""

from __future__ import annotations

from typing import Any

import torch

from app.budget import Budget, name_label
from app.errors import LimitExceeded
from app.evaluate.encode import FULL_ELEMENTS, dtype_name, tensor_value
from app.evaluate.kept import kept_by
from app.evaluate.result import BackwardTrace, Evaluation, Origin
from app.graph.model import Graph, Node
from app.graph.walk import GradKey, walk
from app.limits import Limits


def torchviz_params(evaluation: Evaluation) -> dict[str, torch.Tensor]:
    """The `params` make_dot is given: every named leaf that requires grad,
    under its first name only (SPEC: a tensor is named by the first name it
    was bound to; `b = x` or a function's parameter is another name for it,
    and make_dot labels a tensor given twice with the last)."""
    params: dict[str, torch.Tensor] = {}
    for t in evaluation.named_tensors.values():
        if isinstance(t, torch.Tensor) and t.is_leaf and t.requires_grad:
            name = evaluation.tensor_names.get(id(t))
            if name is not None:
                params.setdefault(name, t)
    return params


def build_graph(
    evaluation: Evaluation,
    *,
    show_saved: bool = False,
    show_attrs: bool = False,
    budget: Budget | None = None,
) -> Graph:
    """The graph of the evaluation's output, in make_dot's order, with what we know of it.

    Big graphs are built too (the JSON model has no cap); `check_size` is the
    renderer's node cap. With a `budget`, the values written on nodes and
    edges take their bytes from it, in node order, then edge order; past it
    they are None and the graph is marked truncated. Names are cut at
    LABEL_CHARS (app/budget.py).
    """
    # The torchviz style's names: the program's own make_dot(out, params=...)
    # call's when it drew this output, as make_dot would label them; else the
    # named leaves. Node names are the evaluation's (module paths) either way.
    params = evaluation.make_dot_params
    if params is None:
        params = torchviz_params(evaluation)
    param_map = {id(t): name for name, t in params.items()}
    # What the program's make_dot call asked to see is drawn, whatever the request's options.
    saved, attrs = evaluation.make_dot_shows
    show_saved, show_attrs = show_saved or saved, show_attrs or attrs
    walked = walk(evaluation.output, param_map, show_saved=show_saved, show_attrs=show_attrs)
    graph = walked.graph
    facts = _Facts(evaluation, budget)
    for node, obj in zip(graph.nodes, walked.objects, strict=True):
        if node.kind == "op":
            facts.describe_op(node, obj)
        else:
            facts.describe_tensor(node, obj)
    for edge, key in zip(graph.edges, walked.edge_keys, strict=True):
        edge.grad = facts.small(facts.edge_grad(key))
    graph.truncated = budget is not None and budget.short

    trace = evaluation.backward
    if trace is not None:
        position = {id(obj): k for k, obj in enumerate(walked.objects)}
        for fn in trace.order:
            k = position.get(id(fn))
            if k is None or walked.objects[k] is not fn or graph.nodes[k].step is not None:
                continue  # a node outside the drawn graph (the .sum() of a vector output)
            graph.nodes[k].step = len(graph.backward_order)
            graph.backward_order.append(graph.nodes[k].id)
    return graph


def check_size(graph: Graph, limits: Limits) -> None:
    """The renderer's node cap: a LimitExceeded the caller may answer without a drawing."""
    if len(graph.nodes) > limits.graph_nodes:
        raise LimitExceeded(
            "graph_nodes",
            limits.graph_nodes,
            f"the graph has {len(graph.nodes)} nodes, more than the {limits.graph_nodes}"
            " that can be drawn",
        )


class _Facts:
    """What the evaluation knows, indexed for the graph's nodes and edges."""

    def __init__(self, evaluation: Evaluation, budget: Budget | None = None) -> None:
        self.evaluation = evaluation
        self.budget = budget
        self.trace: BackwardTrace | None = evaluation.backward
        # The named tensors as objects: named_tensors, and the others
        # tensor_names knows by id (kept alive in Evaluation.keep).
        by_id: dict[int, torch.Tensor] = {}
        for t in [*evaluation.named_tensors.values(), *evaluation.keep]:
            if isinstance(t, torch.Tensor) and id(t) in evaluation.tensor_names:
                by_id.setdefault(id(t), t)
        # grad_fn -> the first named tensor it produced, in binding order.
        # An op with several outputs (unbind, split, chunk) is one node: it
        # shows the output a name was first bound to, with that name, so its
        # name and numbers agree; unnamed, its first output (op_outputs).
        self.produced: dict[Any, torch.Tensor] = {}
        for tid in evaluation.tensor_names:
            t = by_id.get(tid)
            if t is not None and t.grad_fn is not None:
                self.produced.setdefault(t.grad_fn, t)

    def small(self, t: torch.Tensor | None) -> Any:
        """A node's or edge's value: whole, within the budget; else None."""
        if t is None or t.numel() > FULL_ELEMENTS:
            return None
        return tensor_value(t, self.budget)

    def grad_output(self, fn: Any, k: int) -> torch.Tensor | None:
        """The gradient of fn's k-th output in the recorded backward pass."""
        if self.trace is None:
            return None
        grads = self.trace.grad_outputs.get(fn)
        if grads is not None and k < len(grads):
            return grads[k]
        if fn is self.trace.root and k == 0:
            return self.trace.seed
        return None

    def edge_grad(self, key: GradKey | None) -> torch.Tensor | None:
        if key is None or self.trace is None:
            return None
        where, fn, k = key
        if where == "input":
            grads = self.trace.grad_inputs.get(fn)
            return grads[k] if grads is not None and k < len(grads) else None
        return self.grad_output(fn, k)

    def origin(self, t: torch.Tensor) -> Origin | None:
        found = self.evaluation.tensor_origins.get(id(t))
        if found is None and t.grad_fn is not None:
            found = self.evaluation.node_origins.get(t.grad_fn)
        return found

    def tensor_grad(self, t: torch.Tensor) -> torch.Tensor | None:
        if t.is_leaf:
            return t.grad  # a leaf's own .grad (non-leaves warn on .grad)
        known = self.evaluation.intermediate_grads.get(id(t))
        if known is not None:
            return known
        return self.grad_output(t.grad_fn, t.output_nr)

    def describe_tensor(self, node: Node, t: torch.Tensor) -> None:
        ev = self.evaluation
        if node.kind == "output" and t is ev.output and ev.output_name:
            node.name = name_label(ev.output_name)
        else:
            node.name = name_label(ev.tensor_names.get(id(t)))
        node.label = node.name or ""
        self.set_tensor(node, t)
        node.grad = self.small(self.tensor_grad(t))
        node.kept = kept_by(t) if node.grad is not None else None
        _set_origin(node, self.origin(t))

    def describe_op(self, node: Node, fn: Any) -> None:
        origin = self.evaluation.node_origins.get(fn)
        if hasattr(fn, "variable"):
            # AccumulateGrad belongs where its leaf was made.
            origin = self.origin(fn.variable) or origin
            _set_origin(node, origin)
            return
        _set_origin(node, origin)
        t = self.produced.get(fn)
        if t is not None:
            node.name = name_label(self.evaluation.tensor_names.get(id(t)))
            self.set_tensor(node, t)
            node.grad = self.small(self.tensor_grad(t))
            node.kept = kept_by(t) if node.grad is not None else None
            return
        made = self.evaluation.op_outputs.get(fn)
        if made is not None and made[0]._version == made[1]:
            self.set_tensor(node, made[0])
        grad = self.grad_output(fn, 0)
        if grad is not None:
            # The gradient has the shape and dtype of the output it belongs to.
            node.shape = tuple(grad.shape)
            node.dtype = dtype_name(grad.dtype)
            node.grad = self.small(grad)

    def set_tensor(self, node: Node, t: torch.Tensor) -> None:
        node.shape = tuple(t.shape)
        node.dtype = dtype_name(t.dtype)
        node.value = self.small(t)


def _set_origin(node: Node, origin: Origin | None) -> None:
    if origin is not None:
        node.span = origin.span
        node.loops = origin.loops
        node.modules = origin.modules
