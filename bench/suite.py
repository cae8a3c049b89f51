"""The service benchmark: `scripts/bench` (or `.venv/bin/python -m bench`).

One run starts everything it measures, measures, prints one table and stops
everything again:

- the references (bench/references/), each under uvicorn with two workers
  and the flags `python -m app serve` uses: a bare endpoint answering a fixed
  5 KB SVG from a dict; the plain pipeline (torch forward and backward,
  make_dot, one long-lived `dot -Tsvg`); the same with graphviz.pipe;
- our server, `python -m app serve --workers 2` with default settings
  (cold start: from its launch to its first answered evaluate);
- uncached POST /api/v1/evaluate of `3*sin(x) + x + 3`, a fresh source each
  request (a comment changes), one connection, the same raw-socket client
  for every server, requests interleaved (reference, ours, now and then the
  naive one) so the machine's load weighs on all alike: p50s and ratios;
- the same with wrk, 8 connections: throughput, ours against the pipeline's;
- cached GET /api/v1/graph.svg with wrk -t2 -c32 -d10s --latency, ours
  against the dict endpoint: requests/s, p99, errors;
- RSS of every server and evaluation process, from /proc, after the load;
- the 7-node render against graphviz.pipe in-process (bench/render.py);
- growth: in-process stages for 10 to 5,000 nodes (bench/growth.py).

Results go to bench/results/latest.json; `--write` also puts the table into
BENCHMARKS.md (between the `bench:start` and `bench:end` markers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench import growth, procs, report, wrk
from bench.client import Connection
from bench.procs import Server

RESULTS = Path(__file__).resolve().parent / "results"
PROGRAM = "3*sin(x) + x + 3"
GRAPH_URL = "/api/v1/graph.svg?source=3*sin(x)%2Bx%2B3&x=5"
DICT_URL = "/api/v1/graph.svg?source=3*sin(x)%2Bx%2B3"


def body(tag: str, style: str = "default") -> bytes:
    source = f"{PROGRAM}  # {tag}"
    document: dict[str, Any] = {"source": source, "inputs": {"x": 5}}
    if style != "default":
        document["options"] = {"style": style}
    return json.dumps(document).encode()


def machine() -> dict[str, Any]:
    import fastapi
    import torch
    import uvicorn
    from pygraphviz import graphviz as gv

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    debian_dot = subprocess.run(
        ["/usr/bin/dot", "-V"], capture_output=True, text=True, check=False
    ).stderr.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "graphviz_in_process": f"{gv.GRAPHVIZ_MAJOR_VERSION}.{gv.GRAPHVIZ_MINOR_VERSION}."
        f"{gv.GRAPHVIZ_PATCH_VERSION} (pygraphviz wheel)",
        "graphviz_debian": debian_dot.removeprefix("dot - graphviz version "),
        "uvicorn": uvicorn.__version__,
        "fastapi": fastapi.__version__,
    }


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


# -- measurements -----------------------------------------------------------------------------


def uncached_p50(ours: Server, pipeline: Server, naive: Server, rounds: int) -> dict[str, Any]:
    """Interleaved single-connection latencies of POST /api/v1/evaluate, fresh sources."""
    run = uuid.uuid4().hex[:8]
    # "ours_torchviz": the same server asked for make_dot's drawing (style=torchviz),
    # what the references draw; shown for context, the targets use the default style.
    samples: dict[str, list[float]] = {
        "ours": [],
        "ours_torchviz": [],
        "pipeline": [],
        "naive": [],
    }
    with (
        Connection("127.0.0.1", ours.port) as to_ours,
        Connection("127.0.0.1", pipeline.port) as to_pipeline,
        Connection("127.0.0.1", naive.port) as to_naive,
    ):
        targets = {
            "ours": to_ours,
            "ours_torchviz": to_ours,
            "pipeline": to_pipeline,
            "naive": to_naive,
        }
        warm = max(20, rounds // 10)
        for i in range(-warm, rounds):
            # The naive one spawns `dot` each time (~15 ms): one in four rounds is plenty.
            names = ["pipeline", "ours"] if i % 2 else ["ours", "pipeline"]
            if i % 2 == 0:
                names.append("ours_torchviz")
            if i % 4 == 0:
                names.append("naive")
            for name in names:
                style = "torchviz" if name == "ours_torchviz" else "default"
                seconds, status, answer = targets[name].timed(
                    "POST", "/api/v1/evaluate", body(f"{run}-{name}-{i}", style)
                )
                if status != 200:
                    raise RuntimeError(f"{name} answered {status}: {answer[:300]!r}")
                if i >= 0:
                    samples[name].append(seconds)
        check = json.loads(to_ours.request("POST", "/api/v1/evaluate", body(run))[1])
    if len(check["graph"]["nodes"]) != 7 or "<svg" not in check["svg"]:
        raise RuntimeError("our answer is not the 7-node graph with its SVG")
    return {
        name: {
            "p50_ms": statistics.median(values) * 1e3,
            "p99_ms": sorted(values)[int(len(values) * 0.99)] * 1e3,
            "n": len(values),
        }
        for name, values in samples.items()
    }


def throughput(ours: Server, pipeline: Server, rounds: int, seconds: float) -> dict[str, Any]:
    """wrk, 8 connections, fresh sources; short alternating rounds, summed, so a
    load that comes and goes on the shared machine weighs on both alike."""
    totals = {"ours": [0, 0.0, 0], "pipeline": [0, 0.0, 0]}
    run = uuid.uuid4().hex[:8]
    for k in range(rounds):
        order = [("pipeline", pipeline), ("ours", ours)]
        for name, server in order if k % 2 == 0 else order[::-1]:
            result = wrk.run(
                server.url,
                threads=2,
                connections=8,
                seconds=seconds,
                script="fresh.lua",
                script_args=(f"{run}-{name}-{k}",),
            )
            totals[name][0] += result.requests
            totals[name][1] += result.seconds
            totals[name][2] += result.errors
    return {
        name: {"rps": requests / secs, "requests": requests, "errors": errors}
        for name, (requests, secs, errors) in totals.items()
    }


def cached(ours: Server, dict_svg: Server, seconds: float) -> dict[str, Any]:
    """wrk -t2 -c32 --latency on a cached graph.svg, ours and the dict endpoint."""
    # Every server process answers once through its pool, then from its cache.
    wrk.run(ours.url + GRAPH_URL, threads=2, connections=32, seconds=2)
    wrk.run(dict_svg.url + DICT_URL, threads=2, connections=32, seconds=1)
    with Connection("127.0.0.1", ours.port) as http:
        status, svg = http.request("GET", GRAPH_URL)
    if status != 200 or not svg.startswith(b"<svg"):
        raise RuntimeError(f"graph.svg answered {status}")
    results = {}
    for name, url in (("dict", dict_svg.url + DICT_URL), ("ours", ours.url + GRAPH_URL)):
        results[name] = wrk.run(url, threads=2, connections=32, seconds=seconds).as_dict()
    results["ours"]["bytes"] = len(svg)
    return results


def memory(ours: Server, others: list[Server]) -> dict[str, Any]:
    kinds = procs.process_kinds(ours)
    found: dict[str, Any] = {}
    for kind, pids in kinds.items():
        found[kind] = [
            {"pid": pid, "rss": rss, "pss": pss}
            for pid in pids
            for rss, pss in [procs.memory(pid)]
            if rss
        ]
    for server in others:
        children = procs.descendants(server.process.pid)
        found[f"reference {server.name}"] = [
            {"pid": pid, "rss": rss, "pss": pss}
            for pid in children
            if "spawn_main" in procs.cmdline(pid)
            for rss, pss in [procs.memory(pid)]
            if rss
        ]
    return found


def render_ratio(rounds: int) -> dict[str, Any]:
    """bench/render.py's 7-node comparison, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.render", "--rounds", str(rounds), "--json", "--only", "7"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        cwd=procs.ROOT,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- the run ----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.time()
    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M", time.localtime(started)),
        "machine": machine(),
        "load_before": loadavg(),
    }
    log_dir = Path(tempfile.mkdtemp(prefix="autograd-viz-bench-"))
    servers: list[Server] = []
    try:
        print("starting our server (cold start) ...", flush=True)
        ours = procs.ours(workers=2, log_dir=log_dir)
        servers.append(ours)
        results["cold_start_s"] = procs.wait_for(ours, "POST", "/api/v1/evaluate", body("cold"))
        print(f"  first evaluate answered after {results['cold_start_s']:.2f} s", flush=True)
        print("starting the references ...", flush=True)
        dict_svg = procs.uvicorn("dict", "bench.references.dict_svg:app", 2, log_dir)
        pipeline = procs.uvicorn("pipeline", "bench.references.pipeline:app", 2, log_dir)
        naive = procs.uvicorn("naive", "bench.references.naive:app", 2, log_dir)
        servers += [dict_svg, pipeline, naive]
        for server in (dict_svg, pipeline, naive):
            procs.wait_for(server, "GET", "/healthz")
        # Both of our server processes ready (each answers /healthz once its pool is up).
        procs.wait_for(ours, "GET", "/healthz")
        time.sleep(1.0)

        print("uncached evaluate, one connection ...", flush=True)
        results["uncached"] = uncached_p50(ours, pipeline, naive, args.rounds)
        print("uncached evaluate, 8 connections (wrk) ...", flush=True)
        results["throughput"] = throughput(ours, pipeline, 4, max(1.0, args.wrk_seconds / 3))
        print("cached graph.svg, 32 connections (wrk) ...", flush=True)
        results["cached"] = cached(ours, dict_svg, args.wrk_seconds)
        results["memory"] = memory(ours, [pipeline])
        results["load_during"] = loadavg()
    finally:
        for server in servers:
            procs.stop(server)
    print("render, 7 nodes, in-process against graphviz.pipe ...", flush=True)
    results["render"] = render_ratio(args.render_rounds)
    if args.growth:
        print("growth, in-process ...", flush=True)
        results["growth"] = [growth.run_size(n, args.layout_cap) for n in growth.SIZES]
    results["load_after"] = loadavg()
    results["seconds"] = time.time() - started
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=400, help="single-connection rounds")
    parser.add_argument("--wrk-seconds", type=float, default=10.0, help="seconds per wrk test")
    parser.add_argument("--render-rounds", type=int, default=60, help="bench.render rounds")
    parser.add_argument("--layout-cap", type=float, default=growth.LAYOUT_CAP_S)
    parser.add_argument("--no-growth", dest="growth", action="store_false")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md's table")
    parser.add_argument("--report", type=Path, help="print the report of a saved results file")
    args = parser.parse_args()
    if args.report:
        results = json.loads(args.report.read_text())
    else:
        results = run(args)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    text = report.render(results)
    print()
    print(text)
    if args.write:
        report.write_benchmarks(text)
        print("\nBENCHMARKS.md updated")
    if not report.all_passed(results):
        sys.exit(1)
