"""The graph stage: an Evaluation in, the project's graph model out.

    build_graph(evaluation, show_saved=..., show_attrs=...) -> Graph
    check_size(graph, limits)   # the renderer's node cap (LimitExceeded)
    Graph.to_dict()             # the JSON model the page and the API use

`walk` is make_dot's traversal without recursion; `build` adds names, values,
gradients and source spans; `model` holds the dataclasses.
"""

from __future__ import annotations

from app.graph.build import build_graph, check_size, torchviz_params
from app.graph.model import Edge, Graph, Node

__all__ = ["Edge", "Graph", "Node", "build_graph", "check_size", "torchviz_params"]
