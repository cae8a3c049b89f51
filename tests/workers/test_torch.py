"""The pool with a handler shaped like the real one: torch and pygraphviz preloaded.

One pool, one test: the fork server imports torch once, which takes about 1.5 s.
"""

from __future__ import annotations

import asyncio

import pytest

from app.errors import LimitExceeded
from app.workers import WorkerPool
from tests.workers.procs import rss_bytes, thread_count


def test_a_torch_worker_is_single_threaded_small_and_bounded_in_memory() -> None:
    async def scenario() -> None:
        pool = WorkerPool(
            "tests.workers.torch_handlers:handle", size=2, memory_bytes=256 << 20, wall_time_s=10
        )
        async with pool:
            assert pool.forkserver_pid is not None
            assert thread_count(pool.forkserver_pid) == 1  # safe to fork
            answer, svg = await pool.submit({"x": 5.0})
            assert answer["value"] == pytest.approx(3 * -0.9589243 + 5 + 3, abs=1e-5)
            assert answer["grad"] == pytest.approx(3 * 0.2836622 + 1, abs=1e-5)
            assert svg is not None and svg.lstrip().startswith(b"<?xml")

            threads, _ = await pool.submit({"op": "threads"})
            assert threads == {"torch": 1, "interop": 1, "os": 1}
            for pid in pool.pids():
                assert rss_bytes(pid) < 350 << 20

            with pytest.raises(LimitExceeded) as info:
                await pool.submit({"op": "allocate", "elements": 10**9})  # 4 GB of float32
            assert (info.value.limit, info.value.value) == ("memory_bytes", 256 << 20)
            assert await pool.wait_until_full(10)
            assert (await pool.submit({"op": "allocate", "elements": 10**6}))[0] == {
                "elements": 10**6
            }
            assert pool.stats().crashes == 0

    asyncio.run(scenario())
