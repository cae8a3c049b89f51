"""Growth: time and memory of each stage for loop programs of 10 to 5,000 nodes.

In-process (no HTTP, no pool), one fresh interpreter per size so that each
peak RSS is that size's own: `.venv/bin/python -m bench.growth [--nodes N]`.

The program is a loop whose graph is a chain, two autograd nodes per
iteration, each iteration in its own loop box:

    x = torch.tensor(0.5, requires_grad=True)
    h = x
    for i in range(K):
        h = torch.sin(h) * 0.9
    y = h.sum()

(2K + 4 nodes: x, its AccumulateGrad, K sines and products, the sum, y.)
Stages: parse, evaluate, graph (walk and model), dot (DOT text), layout
(Graphviz, as app.render.layout runs it: in the layout process from
PROCESS_NODES on and for loop boxes, here with the bench's own time-out instead of the
service's 2 s), svg (our rewrite and allowlist check), json (the graph model
and the answer document). Each stage but layout is the fastest of three
runs. `service` is run_job itself under the default limits: what an
evaluate request costs in a worker, drawn or not.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SIZES = (10, 100, 1000, 5000)
LAYOUT_CAP_S = 30.0


def program(nodes: int) -> str:
    iterations = (nodes - 4) // 2
    return (
        "x = torch.tensor(0.5, requires_grad=True)\n"
        "h = x\n"
        f"for i in range({iterations}):\n"
        "    h = torch.sin(h) * 0.9\n"
        "y = h.sum()\n"
    )


def _peak_rss() -> int:
    """Peak RSS of this process and of its largest child so far (the layout
    process, which runs on, included), bytes."""
    from app.render.layout import layout_process

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    layout_peak = 0
    pid = layout_process().pid
    if pid is not None:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                layout_peak = int(line.split()[1])
    return max(own, children, layout_peak) * 1024


def measure(nodes: int, layout_cap_s: float, repeats: int = 3) -> dict[str, Any]:
    from app.budget import Budget
    from app.evaluate import evaluate
    from app.graph import build_graph
    from app.job import Job, RenderOptions
    from app.limits import DEFAULT_LIMITS
    from app.parse import parse_program
    from app.pipeline import Run, answer_document, run_job, warm_up
    from app.render import style_default
    from app.render.layout import LayoutTimeout, layout, layout_process
    from app.render.svg import sanitise

    warm_up()
    # The layout process starts beside warm_up: wait for its first answer, so
    # that the layout column measures a layout, not its start.
    layout_process().layout(b"digraph { a }", "svg", "metrics", time.monotonic() + 30)
    # As the fork server does before it forks a worker: what was imported is
    # never freed, so the collector's full passes leave it out.
    gc.collect()
    gc.freeze()
    baseline = _peak_rss()
    source = program(nodes)
    options = RenderOptions()
    times: dict[str, float] = {}

    def timed(stage: str, action: Any, runs: int = repeats) -> Any:
        """The fastest of `runs`: a stage's own cost, without the collector's
        full passes that land on one run or another."""
        best = float("inf")
        for _ in range(runs):
            started = time.perf_counter()
            result = action()
            best = min(best, time.perf_counter() - started)
        times[stage] = best
        return result

    checked = timed("parse", lambda: parse_program(source, DEFAULT_LIMITS))
    evaluation = timed("evaluate", lambda: evaluate(checked, {}, None, DEFAULT_LIMITS))
    graph = timed("graph", lambda: build_graph(evaluation))
    dot = timed("dot", lambda: style_default.to_dot(graph, options))
    drawn = True
    try:
        svg = timed(
            "layout",
            lambda: layout(
                dot, "svg", nodes=len(graph.nodes), timeout=layout_cap_s, measure="metrics"
            ),
            runs=1,
        )
    except LayoutTimeout:
        drawn = False
        times["layout"] = layout_cap_s
    if drawn:
        timed("svg", lambda: sanitise(svg, graph))

    def document() -> bytes:
        # The answer's numbers and graph model, without the drawing (timed above).
        run = Run(Job(source=source, format=None), DEFAULT_LIMITS, evaluation, graph, 0.0)
        return answer_document(run, Budget(DEFAULT_LIMITS.answer_bytes))

    timed("json", document)
    peak = _peak_rss()
    job = Job(source=source)
    started = time.perf_counter()
    answer = json.loads(run_job(job, "evaluate"))
    service_s = time.perf_counter() - started
    return {
        "nodes": len(graph.nodes),
        "times": times,
        "layout_finished": drawn,
        "service_s": service_s,
        "service_drawn": answer["svg"] is not None,
        "peak_rss": peak,
        "baseline_rss": baseline,
    }


def run_size(nodes: int, layout_cap_s: float = LAYOUT_CAP_S) -> dict[str, Any]:
    """`measure` in a fresh interpreter."""
    command = [sys.executable, "-m", "bench.growth", "--nodes", str(nodes), "--json"]
    command += ["--layout-cap", str(layout_cap_s)]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        timeout=layout_cap_s + 120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


OUTSIDE_LAYOUT = ("parse", "evaluate", "graph", "dot", "svg", "json")


def outside_layout(row: dict[str, Any]) -> float:
    return sum(row["times"].get(stage, 0.0) for stage in OUTSIDE_LAYOUT)


def exponent(small: dict[str, Any], big: dict[str, Any], value: Any) -> float:
    """The power of n that takes `value` from the smaller graph to the bigger one."""
    import math

    ratio = value(big) / max(value(small), 1e-9)
    return math.log(ratio) / math.log(big["nodes"] / small["nodes"])


def format_table(rows: list[dict[str, Any]]) -> list[str]:
    stages = ("parse", "evaluate", "graph", "dot", "layout", "svg", "json")
    header = "| nodes | " + " | ".join(stages) + " | outside layout | per node | service "
    header += "| peak RSS (+ over warm) |"
    lines = [header, "|" + "---|" * (len(stages) + 5)]
    for row in rows:
        t = row["times"]
        cells = []
        for stage in stages:
            if stage == "layout" and not row["layout_finished"]:
                cells.append(f"> {t['layout']:.0f} s (stopped)")
            elif stage in t:
                cells.append(_ms(t[stage]))
            else:
                cells.append("-")
        outside = outside_layout(row)
        drawn = "drawn" if row["service_drawn"] else "not drawn"
        lines.append(
            f"| {row['nodes']:,} | "
            + " | ".join(cells)
            + f" | {_ms(outside)} | {outside / row['nodes'] * 1e6:.0f} µs"
            + f" | {_ms(row['service_s'])} ({drawn})"
            + f" | {row['peak_rss'] >> 20} MiB (+{(row['peak_rss'] - row['baseline_rss']) >> 20}) |"
        )
    return lines


def _ms(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1e3:.3g} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, action="append", help="graph sizes (repeatable)")
    parser.add_argument("--json", action="store_true", help="measure here, print JSON")
    parser.add_argument("--layout-cap", type=float, default=LAYOUT_CAP_S, help="seconds")
    args = parser.parse_args()
    sizes = args.nodes or list(SIZES)
    if args.json:
        for nodes in sizes:
            print(json.dumps(measure(nodes, args.layout_cap)))
        return
    rows = [run_size(nodes, args.layout_cap) for nodes in sizes]
    print("\n".join(format_table(rows)))


if __name__ == "__main__":
    main()
