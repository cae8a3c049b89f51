"""The graph model: what the walk builds, every renderer draws and the API sends.

Nodes and edges carry JSON-safe data only (values already encoded), so the
renderers never touch torch. Ids are positional (`n0`, `n1`, ... in the order
`make_dot` first declares each node; `e0`, `e1`, ... in the order it emits
each edge), so the same program gives the same model in any process.

`Graph.statements` keeps `make_dot`'s statement sequence, node declarations
and edges interleaved, with the label and colour each declaration had: the
torchviz style replays it to reproduce `make_dot`'s DOT (a node declared twice
keeps make_dot's last label, as Graphviz does). It is not part of the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from app.budget import name_label
from app.evaluate.result import LoopStep, ModuleStep, Span

# "more" is a drawing's box for the hidden iterations of a long loop
# (app.graph.collapse): never in the JSON model of an answer.
NodeKind = Literal["op", "leaf", "output", "saved", "base", "more"]
EdgeStyle = Literal["solid", "dotted", "none"]

# When one tensor plays several parts (a leaf that a backward node also saves),
# make_dot draws one node; its kind is the most telling of its parts.
KIND_RANK: dict[NodeKind, int] = {"saved": 0, "base": 1, "output": 2, "leaf": 3, "op": 4}


@dataclass(slots=True)
class Node:
    id: str
    kind: NodeKind
    # Op nodes: the autograd class name. Tensor nodes: the user's name or "".
    label: str
    name: str | None = None
    shape: tuple[int, ...] | None = None
    dtype: str | None = None
    value: Any = None  # encode_tensor's "value", when at most FULL_ELEMENTS
    grad: Any = None
    span: Span | None = None
    loops: tuple[LoopStep, ...] = ()
    # The module calls that made it, outermost first (app.evaluate.modules).
    modules: tuple[ModuleStep, ...] = ()
    step: int | None = None  # position in Graph.backward_order
    # Who keeps `grad` after backward() (app.evaluate.kept): torch ("leaf",
    # "retain_grad") or only the visualizer; None for an unnamed op's output.
    kept: str | None = None
    # Not in the JSON, for the renderers:
    # show_attrs: the backward node's saved attributes as (name, text).
    attrs: tuple[tuple[str, str], ...] = ()
    # Saved tensors: the attribute that saved it ("self", "other", "result[0]").
    saved_as: str | None = None

    def to_dict(self, values: bool = True) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "name": self.name,
            "shape": None if self.shape is None else list(self.shape),
            "dtype": self.dtype,
            "value": self.value if values else None,
            "grad": self.grad if values else None,
            "span": None if self.span is None else self.span.to_dict(),
            "loops": [
                {"line": s.line, "iteration": s.iteration, "target": s.target} for s in self.loops
            ],
            "modules": [module_dict(m) for m in self.modules],
            "step": self.step,
            "kept": self.kept,
        }


def module_dict(step: ModuleStep) -> dict[str, Any]:
    """A module call as the JSON model writes it."""
    return {
        "path": name_label(step.path),  # a variable's name: cut, as names are (app/budget.py)
        "type": step.kind,
        "call": step.call,
        "loops": step.loops,
        "span": None if step.span is None else step.span.to_dict(),
    }


@dataclass(slots=True)
class Edge:
    id: str
    source: str
    target: str
    grad: Any = None  # the gradient that flowed along this edge in the backward pass
    # "none" is make_dot's dir=none (a saved tensor), "dotted" a view's base.
    style: EdgeStyle = "solid"
    # Not in the JSON: saved edges name the attribute ("self", "other").
    saved_as: str | None = None

    def to_dict(self, values: bool = True) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "grad": self.grad if values else None,
            "style": self.style,
        }


@dataclass(frozen=True, slots=True)
class NodeStatement:
    """make_dot's `dot.node(...)`: `node` indexes Graph.nodes."""

    node: int
    label: str
    fillcolor: str | None


@dataclass(frozen=True, slots=True)
class EdgeStatement:
    """make_dot's `dot.edge(...)`: `edge` indexes Graph.edges."""

    edge: int


Statement = NodeStatement | EdgeStatement


@dataclass
class Graph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    backward_order: list[str] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    # What the walk was asked for (build_graph's flags).
    show_saved: bool = False
    show_attrs: bool = False
    # A drawing's collapsed loops (app.graph.collapse.Run), one per "more" node.
    runs: list[Any] = field(default_factory=list)
    # Some values were left off nodes and edges to keep the answer within its
    # byte limit (build_graph's budget, app/budget.py).
    truncated: bool = False

    def to_dict(self, values: bool = True) -> dict[str, Any]:
        """The JSON model; without `values`, every node's and edge's value and
        gradient is null (and the model says it is truncated)."""
        document: dict[str, Any] = {
            "nodes": [node.to_dict(values) for node in self.nodes],
            "edges": [edge.to_dict(values) for edge in self.edges],
            "backward_order": list(self.backward_order),
        }
        if self.truncated or not values:
            document["truncated"] = True
        return document
