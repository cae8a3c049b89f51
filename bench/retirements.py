"""Retirements: how often honest programs cost an evaluation process its life.

A process retires when a request left more than AUTOGRAD_VIZ_WORKER_GROWTH_MB
behind, in anonymous memory or in address space (app.workers.child); each
retirement costs a fork and a warm-up. This runs each group of programs
`--rounds` times (200 by default) through a pool of one process with the
server's own bounds (app.settings: memory, growth, recycling) and prints,
per group, the retirements, the process's address space (VmSize) and
anonymous memory after the group against the ready process's, and the
median time of a request:

    .venv/bin/python -m bench.retirements [--rounds 200] [--memory-mb 1024]

Groups: the benchmark's expression (`3*sin(x) + x + 3`), the seed lessons,
the programs of real-code.json and the gallery's own, and the audit's
program of 10 sines of a 1000 x 1000 float64 tensor (issue 16's F1: 140 MB
of heap address space left per run before the large-buffer threshold).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

from app.api.examples import DATA
from app.job import Job
from app.settings import Settings
from app.workers import WorkerPool

SINES = """x = torch.ones(1000, 1000, dtype=torch.float64, requires_grad=True)
y = x
for i in range(10):
    y = torch.sin(y)
y.sum()"""


def groups() -> dict[str, list[Job]]:
    lessons = json.loads((DATA / "seed-lessons.json").read_text())["lessons"]
    real = json.loads((DATA / "real-code.json").read_text())["lessons"]
    gallery = json.loads((DATA / "gallery.json").read_text())["lessons"]

    def job(lesson: dict[str, Any]) -> Job:
        return Job(
            source=lesson["source"],
            inputs=lesson.get("inputs") or {},
            output=lesson.get("output"),
        )

    return {
        "3*sin(x) + x + 3": [Job(source="3*sin(x) + x + 3", inputs={"x": 5.0})],
        "seed lessons": [job(lesson) for lesson in lessons],
        "real code and gallery": [job(lesson) for lesson in real + gallery if "source" in lesson],
        "10 sines of 1000x1000 float64": [Job(source=SINES)],
    }


def _status(pid: int) -> dict[str, int]:
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmSize", "RssAnon"):
                fields[key] = int(value.split()[0]) >> 10
    return fields


async def measure(rounds: int, memory_mb: int) -> None:
    settings = Settings()
    bounds = {**settings.process_bounds(), "memory_bytes": memory_mb << 20}
    async with WorkerPool("app.pipeline:handle", size=1, **bounds) as pool:
        for name, jobs in groups().items():
            await pool.wait_until_full(60)
            [pid] = pool.pids()
            ready = _status(pid)
            restarts = pool.stats().restarts
            errors: dict[str, int] = {}
            times = []
            for n in range(rounds):
                for job in jobs:
                    # A new source each time, as an edit makes: no cache in between.
                    fresh = job.model_copy(update={"source": f"{job.source}\n# {n}"})
                    request = {"kind": "evaluate", "job": fresh.model_dump(mode="json")}
                    started = time.perf_counter()
                    try:
                        await pool.submit(request)
                    except Exception as exc:  # counted, not fatal: the report says which
                        errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    times.append(time.perf_counter() - started)
            await pool.wait_until_full(60)
            after = _status(pool.pids()[0])
            print(
                f"{name:32} {rounds * len(jobs):5} requests  "
                f"retirements {pool.stats().restarts - restarts:4}  "
                f"VmSize {ready['VmSize']} -> {after['VmSize']} MiB  "
                f"RssAnon {ready['RssAnon']} -> {after['RssAnon']} MiB  "
                f"median {statistics.median(times) * 1000:.1f} ms"
                + (f"  errors {errors}" if errors else "")
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--memory-mb", type=int, default=Settings().memory_mb)
    options = parser.parse_args()
    asyncio.run(measure(options.rounds, options.memory_mb))


if __name__ == "__main__":
    main()
