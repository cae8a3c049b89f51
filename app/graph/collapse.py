"""Loops collapsed: a loop of many iterations drawn as its first two, a box
for the rest ("× 27 more") and its last.

A transform of the graph model, for the drawing only: `collapse(graph)`
returns a new Graph whose nodes are the original's minus those of the
hidden iterations, plus one node of kind "more" per hidden run (id `k0`,
`k1`, ... in source order), and whose edges are the original's with every
end in a hidden iteration moved to its run's node: an edge inside a run
goes, one into or out of it keeps its id, its real gradient and its other
end. Several edges that become the same pair are drawn as one (the first,
by id), without a gradient (which of them would it show?). Nodes and edges
that stay are the original objects' copies, unchanged, so every number on
the drawing is the expanded graph's (tests/graph/test_collapse.py checks
it). The JSON model of an answer stays the whole graph; `Run.to_dict()`
tells the page which nodes each box holds, so the step-through can walk
into a collapsed iteration.

Which loops: those with more than `KEEP` + 2 iterations when the request
says `loops=collapsed`; with `loops=auto` (the default), those with more
than `AUTO_ITERATIONS` iterations in a graph of more than `AUTO_NODES`
nodes (a 3-iteration loop stays whole, a 30-iteration one is collapsed).
A loop inside a hidden iteration goes with it; a loop inside a kept
iteration is collapsed on its own terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from app.evaluate.result import LoopStep
from app.graph.model import Edge, Graph, Node

LoopsOption = Literal["auto", "collapsed", "expanded"]

KEEP_FIRST = 2  # iterations drawn before the box
KEEP_LAST = 1  # and after it
AUTO_ITERATIONS = 5  # loops=auto: loops of more iterations than this ...
AUTO_NODES = 40  # ... in graphs of more nodes than this are collapsed

# A loop level: the iterations around it (line, iteration pairs) and its line.
_LoopKey = tuple[tuple[tuple[int, int], ...], int]


@dataclass(frozen=True, slots=True)
class Run:
    """One box: the hidden iterations `first`..`last` (`count` of them) of the
    loop at `line` (its `target` for a `for` loop), inside `loops`; `nodes`
    and `edges` are the ids it stands for."""

    id: str
    line: int
    target: str | None
    loops: tuple[LoopStep, ...]
    first: int
    last: int
    count: int
    nodes: tuple[str, ...]
    edges: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "line": self.line,
            "target": self.target,
            "loops": [
                {"line": s.line, "iteration": s.iteration, "target": s.target} for s in self.loops
            ],
            "first": self.first,
            "last": self.last,
            "count": self.count,
            "nodes": list(self.nodes),
            "edges": list(self.edges),
        }


@dataclass
class Collapsed:
    """The graph as drawn, and the runs its "more" nodes stand for."""

    graph: Graph
    runs: list[Run] = field(default_factory=list)


def _iterations(nodes: list[Node], depth: int) -> dict[_LoopKey, set[int]]:
    """The iterations of each loop at nesting `depth` that hold a node."""
    found: dict[_LoopKey, set[int]] = {}
    for node in nodes:
        if len(node.loops) > depth:
            outer = tuple((s.line, s.iteration) for s in node.loops[:depth])
            found.setdefault((outer, node.loops[depth].line), set()).add(
                node.loops[depth].iteration
            )
    return found


def loops_to_collapse(graph: Graph, option: LoopsOption) -> int:
    """The fewest iterations a loop must have to be collapsed (0: none is)."""
    if option == "expanded" or not any(node.loops for node in graph.nodes):
        return 0
    if option == "collapsed":
        return KEEP_FIRST + KEEP_LAST + 1
    return AUTO_ITERATIONS + 1 if len(graph.nodes) > AUTO_NODES else 0


def collapse(graph: Graph, option: LoopsOption = "auto") -> Collapsed:
    """The graph with the middle iterations of long loops as one node each."""
    least = loops_to_collapse(graph, option)
    if not least:
        return Collapsed(graph)
    hidden: dict[str, int] = {}  # node id -> index of its run
    runs: list[tuple[_LoopKey, list[int], tuple[LoopStep, ...], str | None]] = []
    depth = 0
    while True:
        shown = [node for node in graph.nodes if node.id not in hidden]
        levels = _iterations(shown, depth)
        if not levels:
            break
        for key in sorted(levels):
            its = sorted(levels[key])
            if len(its) < least:
                continue
            middle = set(its[KEEP_FIRST:-KEEP_LAST])
            index = len(runs)
            outer: tuple[LoopStep, ...] = ()
            target: str | None = None
            for node in shown:
                loops = node.loops
                if (
                    len(loops) > depth
                    and loops[depth].line == key[1]
                    and tuple((s.line, s.iteration) for s in loops[:depth]) == key[0]
                ):
                    outer, target = loops[:depth], loops[depth].target
                    if loops[depth].iteration in middle:
                        hidden[node.id] = index
            runs.append((key, sorted(middle), outer, target))
        depth += 1
    if not hidden:
        return Collapsed(graph)
    return _rewire(graph, hidden, runs)


def _rewire(
    graph: Graph,
    hidden: dict[str, int],
    runs: list[tuple[_LoopKey, list[int], tuple[LoopStep, ...], str | None]],
) -> Collapsed:
    ids = [f"k{k}" for k in range(len(runs))]
    members: list[list[str]] = [[] for _ in runs]
    for node in graph.nodes:
        if node.id in hidden:
            members[hidden[node.id]].append(node.id)
    inside: list[list[str]] = [[] for _ in runs]
    edges: list[Edge] = []
    pairs: dict[tuple[str, str], int] = {}  # a moved edge's drawn pair -> index in edges
    for edge in graph.edges:
        source = ids[hidden[edge.source]] if edge.source in hidden else edge.source
        target = ids[hidden[edge.target]] if edge.target in hidden else edge.target
        if source == target and edge.source in hidden:
            inside[hidden[edge.source]].append(edge.id)
            continue
        moved = source != edge.source or target != edge.target
        if not moved:  # untouched, duplicates too (make_dot draws x*x's two edges)
            edges.append(replace(edge))
            continue
        seen = pairs.get((source, target))
        if seen is not None:  # another moved edge already draws this pair
            edges[seen] = replace(edges[seen], grad=None)
            for end in (edge.source, edge.target):
                if end in hidden:
                    inside[hidden[end]].append(edge.id)
                    break
            continue
        pairs[(source, target)] = len(edges)
        edges.append(replace(edge, source=source, target=target))
    runs_out: list[Run] = []
    more_nodes: dict[int, Node] = {}
    for k, ((_, line), middle, outer, loop_target) in enumerate(runs):
        run = Run(
            id=ids[k],
            line=line,
            target=loop_target,
            loops=outer,
            first=middle[0],
            last=middle[-1],
            count=len(middle),
            nodes=tuple(members[k]),
            edges=tuple(inside[k]),
        )
        runs_out.append(run)
        more_nodes[k] = Node(id=run.id, kind="more", label=f"{run.count} more", loops=outer)
    # Each run's node where its first hidden node was: the drawing keeps make_dot's order.
    nodes: list[Node] = []
    placed: set[int] = set()
    for node in graph.nodes:
        box = hidden.get(node.id)
        if box is None:
            nodes.append(replace(node))
        elif box not in placed:
            placed.add(box)
            nodes.append(more_nodes[box])
    drawn = Graph(
        nodes=nodes,
        edges=edges,
        backward_order=list(graph.backward_order),
        statements=[],
        show_saved=graph.show_saved,
        show_attrs=graph.show_attrs,
        runs=runs_out,
    )
    return Collapsed(drawn, runs_out)
