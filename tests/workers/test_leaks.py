"""One evaluation process, thousands of honest requests: its memory stays put.

The load test (tests/reliability/test_load.py) compares evaluation processes
by slot, and its hostile traffic replaces every one of them during the run,
so a leak inside the evaluation code itself could hide there. Here one
process of the real pipeline (`app.pipeline:handle`, as the server runs it),
never recycled and never killed, serves the seed lessons and random
expressions, as JSON answers and as images; its RSS after the measured
requests must stay within 10% of its RSS after the warm-up, and it must be
the same process throughout.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from typing import Any

import pytest

from app.job import Job
from app.workers import WorkerPool
from tests.conftest import lessons
from tests.workers.procs import rss_bytes

pytestmark = [pytest.mark.load, pytest.mark.timeout(300)]

WARM_UP = 600
MEASURED = 4_000
FORMATS = ("svg", "png", "dot", "json")


def requests(seed: int) -> Iterator[dict[str, Any]]:
    """Lessons and fresh random expressions, as evaluations and as images."""
    rng = random.Random(seed)
    programs = [(lesson["source"], lesson.get("inputs") or {}) for lesson in lessons()]
    n = 0
    while True:
        n += 1
        if n % 3:
            a, c, k = rng.uniform(-3, 3), rng.uniform(-9, 9), rng.randint(1, 4)
            source, inputs = f"{a:.4f}*sin(x) + x**{k} + {c:.3f}", {"x": rng.uniform(-4, 4)}
        else:
            source, inputs = rng.choice(programs)
            source = f"{source}\n# {seed}-{n}"  # a new job, as an edit would make
        image = rng.random() < 0.3
        job = Job(
            source=source,
            inputs=inputs,
            format=rng.choice(FORMATS) if image else "svg",
        )
        yield {"kind": "image" if image else "evaluate", "job": job.model_dump(mode="json")}


async def serve(pool: WorkerPool, count: int, seed: int) -> None:
    made = requests(seed)
    for _ in range(count):
        meta, body = await pool.submit(next(made))
        assert body


def test_one_evaluation_process_does_not_grow() -> None:
    async def scenario() -> tuple[int, int, list[int]]:
        async with WorkerPool(
            "app.pipeline:handle", size=1, wall_time_s=10, recycle_after=None
        ) as pool:
            await serve(pool, WARM_UP, seed=1)
            [pid] = pool.pids()
            before = rss_bytes(pid)
            await serve(pool, MEASURED, seed=2)
            after = rss_bytes(pid)
            assert pool.stats().crashes == 0
            return before, after, [pid, *pool.pids()]

    before, after, pids = asyncio.run(scenario())
    assert pids[0] == pids[1], "the evaluation process was replaced"
    print(f"\nevaluation process RSS {before / 2**20:.1f} -> {after / 2**20:.1f} MiB")
    assert after <= before * 1.10, (before, after)
