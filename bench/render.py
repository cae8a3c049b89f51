"""Render speed: `.venv/bin/python -m bench.render [--runs N]`.

Times `app.render.render(graph, options, "svg")` in-process (DOT text,
pygraphviz layout, SVG rewrite) against `graphviz.Source(dot).pipe("svg")`,
which spawns the `dot` binary per call, on the same DOT in the same run,
interleaved (4 of ours, then 1 pipe, per round), for graphs of 7, 50 and 300
nodes, in both styles. Prints medians and the ratio pipe / ours, then where
our time goes (DOT, layout, SVG rewrite).

The graphs are real autograd graphs with values, gradients and a recorded
backward pass (built by the test helper tests/graph/evaluations.py): the
lecture's `3*sin(x) + x + 3` (7 nodes) and its loop lesson `x = x*(x+1)`
run 23 and 148 times, then summed (50 and 300 nodes, with one loop box per
iteration in the default style).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import graphviz
import torch

from app.evaluate.result import LoopStep, Origin, Span
from app.graph import Graph, build_graph
from app.job import RenderOptions
from app.render import render, to_dot
from app.render.layout import layout
from app.render.svg import sanitise
from tests.graph.evaluations import evaluation_of


def sin_program() -> dict[str, Any]:
    x = torch.tensor(5.0, requires_grad=True)
    y = 3 * torch.sin(x) + x + 3
    return locals()


def loop_program(iterations: int) -> Callable[[], dict[str, Any]]:
    def program() -> dict[str, Any]:
        # From 0.001, h*(h+1) stays finite for hundreds of iterations.
        x = torch.tensor(0.001, requires_grad=True)
        origins: dict[Any, Origin] = {id(x): Origin(Span(1, 1, 1, 40))}
        h = x
        for i in range(iterations):
            h = h * (h + 1)
            where = (LoopStep(2, i),)
            origins[h.grad_fn] = Origin(Span(3, 5, 3, 30), where)
            for u, _ in h.grad_fn.next_functions:
                origins[u] = Origin(Span(3, 9, 3, 20), where)
        y = h.sum()
        del i, where, u
        return locals()

    return program


def graphs(only: int | None = None) -> list[Graph]:
    built = [build_graph(evaluation_of(sin_program))] if only in (None, 7) else []
    # k iterations: 2k ops, the leaf, its AccumulateGrad, the sum, the output.
    for nodes in (50, 300):
        if only in (None, nodes):
            built.append(build_graph(evaluation_of(loop_program((nodes - 4) // 2))))
    return built


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm: plugin loading, first-call caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def compare(
    ours: Callable[[], object], pipe: Callable[[], object], rounds: int, per_round: int
) -> tuple[float, float]:
    """Medians (ms) of both, interleaved: the machine is shared, and a load
    that comes and goes must weigh on both sides alike."""
    ours()
    pipe()
    ours_times: list[float] = []
    pipe_times: list[float] = []
    for _ in range(rounds):
        for _ in range(per_round):
            start = time.perf_counter()
            ours()
            ours_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        pipe()
        pipe_times.append(time.perf_counter() - start)
    return statistics.median(ours_times) * 1000, statistics.median(pipe_times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60, help="rounds for the 7-node graph")
    parser.add_argument("--only", type=int, help="only the graph of this many nodes (7, 50, 300)")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead")
    args = parser.parse_args()

    found: dict[str, dict[str, float]] = {}
    if not args.json:
        print(f"{'graph':>10} {'style':>9} {'ours ms':>9} {'pipe ms':>9} {'pipe/ours':>10}")
    breakdown = []
    for graph in graphs(args.only):
        nodes = len(graph.nodes)
        # Fewer rounds for bigger graphs; the pipe is slow, so once per round.
        rounds = max(5, args.rounds * 7 // nodes)
        for style in ("default", "torchviz"):
            options = RenderOptions(style=style)
            dot = to_dot(graph, options)
            ours, pipe = compare(
                lambda: render(graph, options, "svg"),  # noqa: B023
                lambda: graphviz.Source(dot).pipe(format="svg"),  # noqa: B023
                rounds,
                per_round=4,
            )
            found[style if args.only else f"{nodes}-{style}"] = {"ours_ms": ours, "pipe_ms": pipe}
            if not args.json:
                print(f"{nodes:>4} nodes {style:>9} {ours:>9.2f} {pipe:>9.2f} {pipe / ours:>9.1f}x")
            if style == "default" and not args.json:
                svg = layout(dot, "svg")
                runs = rounds * 4
                breakdown.append(
                    (
                        nodes,
                        median_ms(lambda: to_dot(graph, options), runs),  # noqa: B023
                        median_ms(lambda: layout(dot, "svg"), runs),  # noqa: B023
                        median_ms(lambda: sanitise(svg, graph), runs),  # noqa: B023
                    )
                )
    if args.json:
        print(json.dumps(found))
        return
    print()
    print("where our time goes (default style, ms):")
    print(f"{'graph':>10} {'DOT':>7} {'layout':>7} {'rewrite':>8}")
    for nodes, dot_ms, layout_ms, rewrite_ms in breakdown:
        print(f"{nodes:>4} nodes {dot_ms:>7.3f} {layout_ms:>7.3f} {rewrite_ms:>8.3f}")


if __name__ == "__main__":
    main()
