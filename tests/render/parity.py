"""Comparing our style=torchviz DOT with torchviz.make_dot's, up to node ids.

Two checks, from weaker to stronger:
- `drawing(dot)`: parse the DOT with Graphviz (pygraphviz) and describe what
  it draws without ids: the multiset of nodes (label, fillcolor), of edges
  (source label, target label, dir, style) and the node defaults;
- `canonical(dot)`: the DOT text with every node id renamed in order of first
  appearance (`N0`, `N1`, ...): equal texts mean the same statements, in the
  same order, with the same labels, quoting and attributes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pygraphviz
import torchviz

from app.evaluate.result import Evaluation
from app.graph import torchviz_params

# A statement line: "\t<id> [..." or "\t<id> -> <id>" (labels' continuation
# lines never start with a tab).
_STATEMENT = re.compile(r"^\t([^\s\[]+)(?: -> ([^\s\[]+))?(?= \[|$)", re.MULTILINE)
_KEYWORDS = {"graph", "node", "edge"}


@dataclass
class Drawing:
    nodes: Counter[tuple[str, str]]
    edges: Counter[tuple[str, str, str, str]]
    node_defaults: dict[str, str]
    graph_attrs: dict[str, str]


def drawing(dot: str) -> Drawing:
    graph = pygraphviz.AGraph(string=dot)
    try:
        labels = {str(n): n.attr.get("label") or str(n) for n in graph.nodes()}
        nodes = Counter((labels[str(n)], n.attr.get("fillcolor") or "") for n in graph.nodes())
        edges = Counter(
            (
                labels[str(e[0])],
                labels[str(e[1])],
                e.attr.get("dir") or "",
                e.attr.get("style") or "",
            )
            for e in graph.edges_iter()
        )
        return Drawing(nodes, edges, dict(graph.node_attr), dict(graph.graph_attr))
    finally:
        graph.close()


def canonical(dot: str) -> str:
    names: dict[str, str] = {}
    parts: list[str] = []
    last = 0
    for match in _STATEMENT.finditer(dot):
        for group in (1, 2):
            name = match.group(group)
            if name is None or name in _KEYWORDS:
                continue
            names.setdefault(name, f"N{len(names)}")
            parts.append(dot[last : match.start(group)])
            parts.append(names[name])
            last = match.end(group)
    parts.append(dot[last:])
    return "".join(parts)


def make_dot_source(evaluation: Evaluation, **options: Any) -> str:
    """make_dot's DOT for the evaluation, with the named leaves as params."""
    dot = torchviz.make_dot(evaluation.output, params=torchviz_params(evaluation), **options)
    source: str = dot.source
    return source
