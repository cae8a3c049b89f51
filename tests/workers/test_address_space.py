"""What a program leaves in an evaluation process's address space (audit16 F1).

RLIMIT_AS counts address space, not resident memory. glibc's heap gives
freed pages back but keeps their addresses while anything above them is in
use, so a program of large tensors used to leave 140 MB of address space
behind with its anonymous memory unchanged, and the next program, on a
256 MiB limit, ran out of memory. Large buffers now have mappings of their
own and the retirement rule measures address space too: here the real
pipeline (`app.pipeline:handle`, as the server runs it) in one process.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import torch

from app.job import Job
from app.workers import WorkerPool
from tests.conftest import lessons

pytestmark = pytest.mark.timeout(300)

SINES = """x = torch.ones(1000, 1000, dtype=torch.float64, requires_grad=True)
y = x
for i in range({n}):
    y = torch.sin(y)
y.sum()"""
GROWTH = 32 << 20  # AUTOGRAD_VIZ_WORKER_GROWTH_MB's default


def _sines(n: int) -> float:
    y = torch.ones(1000, 1000, dtype=torch.float64)
    for _ in range(n):
        y = torch.sin(y)
    return float(y.sum())


def _address_space(pid: int) -> int:
    size = Path(f"/proc/{pid}/statm").read_text().split()[0]
    return int(size) * 4096


def _request(source: str, **job: Any) -> dict[str, Any]:
    return {"kind": "evaluate", "job": Job(source=source, **job).model_dump(mode="json")}


def test_large_tensors_leave_no_address_space_for_the_next_program() -> None:
    async def scenario() -> tuple[list[float], int, int, int]:
        async with WorkerPool(
            "app.pipeline:handle",
            size=1,
            memory_bytes=256 << 20,
            growth_bytes=GROWTH,
            wall_time_s=20,
            recycle_after=None,
        ) as pool:
            [pid] = pool.pids()
            ready = _address_space(pid)
            values = []
            # The audit's order: the victim twice, another user three times,
            # the victim again (422 memory_bytes before).
            for k, n in enumerate((10, 10, 6, 6, 6, 10, 10)):
                _, body = await pool.submit(_request(SINES.format(n=n) + f"\n# {k}"))
                assert body is not None
                values.append(json.loads(body)["value"])
            assert pool.pids() == [pid]  # and none of them cost a retirement
            return values, ready, _address_space(pid), pool.stats().restarts

    values, ready, after, restarts = asyncio.run(scenario())
    expected = [_sines(n) for n in (10, 10, 6, 6, 6, 10, 10)]
    assert values == pytest.approx(expected, rel=1e-12)
    assert restarts == 0
    assert after - ready <= GROWTH, (ready >> 20, after >> 20)


def test_lessons_in_a_row_do_not_retire_their_process() -> None:
    # Throughput: retirement is for leftovers, not for the ordinary request
    # (bench/retirements.py runs 200 rounds of these and more).
    programs = [
        (lesson["source"], lesson.get("inputs") or {}, lesson.get("output")) for lesson in lessons()
    ]
    programs.append(("3*sin(x) + x + 3", {"x": 5.0}, None))

    async def scenario() -> tuple[int, int, int]:
        async with WorkerPool(
            "app.pipeline:handle", size=1, growth_bytes=GROWTH, wall_time_s=20
        ) as pool:
            [pid] = pool.pids()
            for n in range(10):
                for source, inputs, output in programs:
                    request = _request(f"{source}\n# {n}", inputs=inputs, output=output)
                    await pool.submit(request)
            return pool.stats().restarts, pool.stats().served, pool.pids()[0] - pid

    restarts, served, moved = asyncio.run(scenario())
    assert served == 10 * len(programs)
    assert (restarts, moved) == (0, 0)
