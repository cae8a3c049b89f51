"""Figures of the worker pool: `.venv/bin/python -m bench.pool [--requests N]`.

- round trip: p50/p99 of one request through the pool to a handler that
  does nothing (`echo`, below), with asyncio's loop and with uvloop (what
  uvicorn runs), beside a reference: the same exchange with asyncio streams
  on a bare socket pair to a forked echo process (the kernel's wake-ups and
  the loop's turns, without framing, JSON or bookkeeping);
- replacement: SIGKILL an idle worker, time until the pool is full again;
- cold start: a fresh interpreter, from exec to the first answer, with a
  handler module that imports torch (the real app.pipeline when it imports,
  else the stand-in tests/workers/torch_handlers.py);
- memory: RSS and PSS (shared pages split between sharers) of the fork
  server and of each worker after warm-up and a few requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from app.workers import PoolStartError, WorkerPool

ECHO = "bench.pool:echo"
TORCH_HANDLERS = ["app.pipeline:handle", "tests.workers.torch_handlers:handle"]


def echo(request: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    return request, None


def torch_request(handler: str) -> dict[str, Any]:
    if handler.startswith("app.pipeline"):
        from dataclasses import asdict

        from app.job import Job
        from app.limits import DEFAULT_LIMITS

        job = Job(source="3*sin(x) + x + 3", inputs={"x": 5.0})
        return {
            "kind": "evaluate",
            "job": job.model_dump(mode="json"),
            "limits": asdict(DEFAULT_LIMITS),
        }
    return {"x": 5.0}


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = ordered[len(ordered) // 2] * 1e6
    p99 = ordered[int(len(ordered) * 0.99)] * 1e6
    return f"p50 {p50:6.0f} us   p99 {p99:6.0f} us   mean {statistics.fmean(ordered) * 1e6:6.0f} us"


async def round_trip(requests: int) -> list[float]:
    request = {"kind": "evaluate", "job": {"source": "3*sin(x) + x + 3", "inputs": {"x": 5}}}
    async with WorkerPool(ECHO, size=2) as pool:
        for _ in range(200):
            await pool.submit(request)
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            await pool.submit(request)
            samples.append(time.perf_counter() - started)
    return samples


async def floor(requests: int) -> list[float]:
    """A forked process echoing bytes on a socket pair: the cost no pool can avoid."""
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        ours.close()
        while data := theirs.recv(65536):
            theirs.sendall(data)
        os._exit(0)
    theirs.close()
    reader, writer = await asyncio.open_connection(sock=ours)
    message = b"x" * 120
    samples = []
    for _ in range(requests + 200):
        started = time.perf_counter()
        writer.write(message)
        await reader.read(65536)
        samples.append(time.perf_counter() - started)
    writer.close()
    await writer.wait_closed()
    os.waitpid(pid, 0)
    return samples[200:]


def run_both_loops(make: Callable[[], Coroutine[Any, Any, list[float]]]) -> dict[str, list[float]]:
    out = {"asyncio": asyncio.run(make())}
    try:
        import uvloop
    except ImportError:
        return out
    out["uvloop"] = uvloop.run(make())
    return out


async def replacement(handler: str, rounds: int) -> tuple[list[float], list[tuple[str, int, int]]]:
    pool = WorkerPool(handler, size=2, start_timeout_s=60)
    async with pool:
        for _ in range(5):
            await pool.submit(torch_request(handler))
        memory = [("fork server", *_memory(pool.forkserver_pid or 0))]
        memory += [(f"worker {pid}", *_memory(pid)) for pid in pool.pids()]
        times = []
        for _ in range(rounds):
            victim = pool.pids()[0]
            started = time.perf_counter()
            os.kill(victim, signal.SIGKILL)
            while victim in pool.pids() or pool.stats().alive < pool.size:
                await asyncio.sleep(0.0005)
            times.append(time.perf_counter() - started)
            await pool.submit(torch_request(handler))
    return times, memory


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) * 1024
    return fields["Rss"], fields["Pss"]


COLD = """
import asyncio, json, sys, time
from app.workers import WorkerPool
from bench.pool import torch_request
async def main(handler):
    started = time.time()
    async with WorkerPool(handler, size=2) as pool:
        ready = time.time()
        await pool.submit(torch_request(handler))
        print(json.dumps({"start": started, "ready": ready, "answered": time.time()}))
asyncio.run(main(sys.argv[1]))
"""


def cold_start(handler: str) -> dict[str, float]:
    launched = time.time()
    out = subprocess.run(
        [sys.executable, "-c", COLD, handler],
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    times = json.loads(out.stdout)
    return {
        "exec to first answer": times["answered"] - launched,
        "pool start to ready": times["ready"] - times["start"],
        "first request": times["answered"] - times["ready"],
    }


def _starts(handler: str) -> bool:
    async def attempt() -> bool:
        try:
            async with WorkerPool(handler, size=1) as pool:
                await pool.submit(torch_request(handler))
        except PoolStartError:
            return False
        except Exception as exc:  # a handler that starts but cannot answer
            print(f"  {handler}: {type(exc).__name__}: {exc}")
            return False
        return True

    return asyncio.run(attempt())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000, help="round trips per loop")
    parser.add_argument("--rounds", type=int, default=10, help="kills for the replacement time")
    args = parser.parse_args()
    # The kills below are deliberate; the pool would log each as a crash.
    logging.getLogger("app.workers").setLevel(logging.ERROR)

    print(f"round trip, {args.requests} sequential requests, pool of 2, echo handler:")
    for name, samples in run_both_loops(lambda: round_trip(args.requests)).items():
        print(f"  pool   {name:8} {percentiles(samples)}")
    for name, samples in run_both_loops(lambda: floor(args.requests)).items():
        print(f"  bare   {name:8} {percentiles(samples)}")

    handler = next((h for h in TORCH_HANDLERS if _starts(h)), None)
    if handler is None:
        raise SystemExit("no torch handler starts")
    print(f"\nwith the torch handler {handler}:")
    cold = cold_start(handler)
    for what, seconds in cold.items():
        print(f"  cold start: {what:22} {seconds * 1000:7.0f} ms")
    times, memory = asyncio.run(replacement(handler, args.rounds))
    print(
        f"  replacement after SIGKILL: median {statistics.median(times) * 1000:.1f} ms, "
        f"max {max(times) * 1000:.1f} ms ({len(times)} kills)"
    )
    for who, rss, pss in memory:
        print(f"  memory {who:14} RSS {rss >> 20:4d} MiB   PSS {pss >> 20:4d} MiB")


if __name__ == "__main__":
    main()
