"""The walk: torchviz's `make_dot` traversal, without recursion.

`make_dot` recurses through `next_functions` depth-first (a node, then for
each input: the edge, then the input's subgraph), so a 5,000-step chain
overflows Python's stack. Here every step of that recursion is a task on an
explicit stack, pushed in reverse so the tasks run in exactly the order the
recursive calls would: the statements come out in make_dot's order, and the
node ids (`n0`, `n1`, ...) follow it.

Objects are identified as make_dot identifies them, by `id()`, and every object
the walk met is kept alive until it ends, so no id is reused. A saved tensor
that is also a leaf is therefore one node, as in make_dot.

The walk only records structure and make_dot's labels; `build` fills in
names, values, gradients and source spans from the Evaluation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

import torch

from app.budget import LABEL_CHARS, cut
from app.graph.model import (
    KIND_RANK,
    Edge,
    EdgeStatement,
    EdgeStyle,
    Graph,
    Node,
    NodeKind,
    NodeStatement,
)

SAVED_PREFIX = "_saved_"  # make_dot: saved attributes of a backward node
MAX_ATTR_CHARS = 50  # make_dot's default max_attr_chars
FREED = "[freed]"  # a saved tensor released by backward() (make_dot would raise)

# Where an edge's gradient is found in the BackwardTrace:
# ("input", fn, i): grad_inputs[fn][i]; ("leaf", acc, 0): grad_outputs[acc][0];
# ("output", fn, k): grad_outputs[fn][k], the gradient of fn's k-th output.
GradKey = tuple[Literal["input", "leaf", "output"], Any, int]


class _Freed:
    """Stands for a saved attribute whose tensors backward() has freed."""


_FREED_VALUE = _Freed()


@dataclass
class Walked:
    graph: Graph
    objects: list[Any] = field(default_factory=list)  # the tensor or autograd node of each node
    edge_keys: list[GradKey | None] = field(default_factory=list)


def size_to_str(size: torch.Size | tuple[int, ...]) -> str:
    """make_dot's shape text: `(5, 3)`, `(5)`, `()`."""
    return "(" + ", ".join(f"{int(v):d}" for v in size) + ")"


def fn_label(name: str, attrs: dict[str, str], max_attr_chars: int = MAX_ATTR_CHARS) -> str:
    """make_dot's `get_fn_name` with show_attrs: the class name over an attribute table."""
    if not attrs:
        return name
    max_attr_chars = max(max_attr_chars, 3)
    col1width = max(len(k) for k in attrs)
    col2width = min(max(len(v) for v in attrs.values()), max_attr_chars)
    sep = "-" * max(col1width + col2width + 2, len(name))
    attrstr = "%-" + str(col1width) + "s: %" + str(col2width) + "s"

    def truncate(s: str) -> str:
        return s[: col2width - 3] + "..." if len(s) > col2width else s

    params = "\n".join(attrstr % (k, truncate(v)) for k, v in attrs.items())
    return name + "\n" + sep + "\n" + params


def attr_text(value: Any) -> str:
    """How make_dot's show_attrs prints one saved attribute."""
    if isinstance(value, _Freed):
        return FREED
    if torch.is_tensor(value):
        return "[saved tensor]"
    if isinstance(value, tuple) and any(torch.is_tensor(t) for t in value):
        return "[saved tensors]"
    return cut(str(value), LABEL_CHARS)  # make_dot shows MAX_ATTR_CHARS of it


def saved_attributes(fn: Any) -> list[tuple[str, Any]]:
    """The `_saved_*` attributes of a backward node, in `dir()` order, as make_dot reads them."""
    found: list[tuple[str, Any]] = []
    for attr in dir(fn):
        if not attr.startswith(SAVED_PREFIX):
            continue
        try:
            value = getattr(fn, attr)
        except RuntimeError:
            # backward() without retain_graph frees saved tensors; make_dot
            # raises here, we draw what is left.
            value = _FREED_VALUE
        found.append((attr[len(SAVED_PREFIX) :], value))
    return found


class _Walk:
    def __init__(self, param_map: dict[int, str], show_saved: bool, show_attrs: bool) -> None:
        self.param_map = param_map
        self.show_saved = show_saved
        self.show_attrs = show_attrs
        self.graph = Graph(show_saved=show_saved, show_attrs=show_attrs)
        self.objects: list[Any] = []
        self.index: dict[int, int] = {}  # id(object) -> node index
        self.seen: set[int] = set()  # make_dot's `seen`, by id
        self.keep: list[Any] = []  # every object whose id is in seen, index or an edge
        self.pending: list[tuple[int, int]] = []  # edges as (id(source), id(target))
        self.edge_keys: list[GradKey | None] = []
        self.stack: list[Callable[[], None]] = []

    # make_dot's helpers ------------------------------------------------------

    def var_name(self, var: torch.Tensor, name: str | None = None) -> str:
        if not name:
            name = self.param_map.get(id(var), "")
        return f"{name}\n {size_to_str(var.size())}"

    def mark(self, obj: Any) -> None:
        self.seen.add(id(obj))
        self.keep.append(obj)

    def declare(
        self,
        obj: Any,
        kind: NodeKind,
        label: str,
        dot_label: str,
        fillcolor: str | None,
        saved_as: str | None = None,
    ) -> None:
        """make_dot's `dot.node(...)`: the first declaration makes the node."""
        k = self.index.get(id(obj))
        if k is None:
            k = len(self.graph.nodes)
            self.index[id(obj)] = k
            self.objects.append(obj)
            self.graph.nodes.append(Node(id=f"n{k}", kind=kind, label=label, saved_as=saved_as))
        else:
            node = self.graph.nodes[k]
            if KIND_RANK[kind] > KIND_RANK[node.kind]:
                node.kind = kind
            if node.saved_as is None:
                node.saved_as = saved_as
        self.graph.statements.append(NodeStatement(k, dot_label, fillcolor))

    def connect(
        self,
        source: Any,
        target: Any,
        style: EdgeStyle = "solid",
        key: GradKey | None = None,
        saved_as: str | None = None,
    ) -> None:
        """make_dot's `dot.edge(...)`; endpoints become node ids when the walk ends."""
        k = len(self.pending)
        self.keep.append(source)
        self.keep.append(target)
        self.pending.append((id(source), id(target)))
        self.edge_keys.append(key)
        edge = Edge(id=f"e{k}", source="", target="", style=style, saved_as=saved_as)
        self.graph.edges.append(edge)
        self.graph.statements.append(EdgeStatement(k))

    # make_dot's add_nodes and add_base_tensor, as tasks ---------------------

    def add_nodes(self, fn: Any) -> None:
        if id(fn) in self.seen:
            return
        self.mark(fn)
        saved = saved_attributes(fn) if (self.show_saved or self.show_attrs) else []

        if self.show_saved:
            for attr, val in saved:
                if torch.is_tensor(val):
                    self.mark(val)
                    self.connect(fn, val, "none", saved_as=attr)
                    self.declare(val, "saved", "", self.var_name(val, attr), "orange", attr)
                if isinstance(val, tuple):
                    for i, t in enumerate(val):
                        if torch.is_tensor(t):
                            name = f"{attr}[{i}]"
                            self.connect(fn, t, "none", saved_as=name)
                            self.declare(t, "saved", "", self.var_name(t, name), "orange", name)

        if hasattr(fn, "variable"):
            var = fn.variable
            self.mark(var)
            self.declare(var, "leaf", "", self.var_name(var), "lightblue")
            self.connect(var, fn, key=("leaf", fn, 0))

        class_name = str(type(fn).__name__)
        attrs = {attr: attr_text(val) for attr, val in saved} if self.show_attrs else {}
        self.declare(fn, "op", class_name, fn_label(class_name, attrs), None)
        if attrs:
            k = self.index[id(fn)]
            self.graph.nodes[k].attrs = tuple(attrs.items())

        self.stack.append(partial(self.add_saved_tensors, fn))
        nexts = fn.next_functions if hasattr(fn, "next_functions") else ()
        for i in reversed(range(len(nexts))):
            u = nexts[i][0]
            if u is not None:
                self.stack.append(partial(self.add_nodes, u))
                self.stack.append(partial(self.connect, u, fn, "solid", ("input", fn, i)))

    def add_saved_tensors(self, fn: Any) -> None:
        # Custom autograd.Function nodes expose `saved_tensors` (make_dot draws them
        # always); after a backward pass freed them, even hasattr raises (make_dot
        # itself fails there): nothing to draw.
        try:
            if not hasattr(fn, "saved_tensors"):
                return
            tensors = fn.saved_tensors
        except RuntimeError:
            return
        for t in tensors:
            self.mark(t)
            self.connect(t, fn, "none")
            self.declare(t, "saved", "", self.var_name(t), "orange")

    def add_base_tensor(self, var: torch.Tensor, kind: NodeKind, color: str) -> None:
        if id(var) in self.seen:
            return
        self.mark(var)
        self.declare(var, kind, "", self.var_name(var), color)
        # Pushed in reverse: grad_fn's subgraph, its edge, then the base and its edge.
        base = var._base if var._is_view() else None
        if base is not None:
            self.stack.append(partial(self.connect, base, var, "dotted"))
            self.stack.append(partial(self.add_base_tensor, base, "base", "darkolivegreen3"))
        fn = var.grad_fn
        if fn:
            key: GradKey = ("output", fn, var.output_nr)
            self.stack.append(partial(self.connect, fn, var, "solid", key))
            self.stack.append(partial(self.add_nodes, fn))

    def run(self, outputs: list[torch.Tensor]) -> Walked:
        for var in reversed(outputs):
            self.stack.append(partial(self.add_base_tensor, var, "output", "darkolivegreen1"))
        while self.stack:
            self.stack.pop()()
        for edge, (source, target) in zip(self.graph.edges, self.pending, strict=True):
            edge.source = self.graph.nodes[self.index[source]].id
            edge.target = self.graph.nodes[self.index[target]].id
        return Walked(self.graph, self.objects, self.edge_keys)


def output_tensors(output: Any) -> list[torch.Tensor]:
    """The tensors make_dot starts from: the output, or each tensor of a tuple or list."""
    if isinstance(output, tuple | list):
        return [v for v in output if isinstance(v, torch.Tensor)]
    if isinstance(output, torch.Tensor):
        return [output]
    return []


def walk(
    output: Any,
    param_map: dict[int, str],
    *,
    show_saved: bool = False,
    show_attrs: bool = False,
) -> Walked:
    """Walk the autograd graph behind `output` as make_dot does, iteratively."""
    return _Walk(param_map, show_saved, show_attrs).run(output_tensors(output))
