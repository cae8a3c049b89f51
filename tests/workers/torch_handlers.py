"""A handler shaped like the real pipeline: torch and pygraphviz imported at module level.

Used by the torch tests and by bench/pool.py for cold start and memory figures.
"""

from __future__ import annotations

import os
from typing import Any

import pygraphviz
import torch


def warm_up() -> None:
    handle({"x": 1.0})


def handle(request: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    op = request.get("op", "grad")
    if op == "threads":
        return {
            "torch": torch.get_num_threads(),
            "interop": torch.get_num_interop_threads(),
            "os": len(os.listdir("/proc/self/task")),
        }, None
    if op == "allocate":
        return {"elements": torch.ones(request["elements"]).numel()}, None
    x = torch.tensor(float(request.get("x", 1.0)), requires_grad=True)
    y = 3 * torch.sin(x) + x + 3
    y.backward()  # type: ignore[no-untyped-call]
    assert x.grad is not None
    graph = pygraphviz.AGraph(directed=True)
    graph.add_edge("x", "y")
    svg: bytes = graph.draw(format="svg", prog="dot")
    return {"value": y.item(), "grad": x.grad.item()}, svg
