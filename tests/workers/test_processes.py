"""Limits, crashes and the life of the processes: real kills, real /proc.

What the issue asks: a program that spins forever costs its own request the
wall time and nothing else; kill -9 of a worker mid-request answers that
request 503 and the next one succeeds; memory is bounded; no process is
ever left behind.
"""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import time
from typing import Any

import pytest

from app.errors import LimitExceeded, UserRuntimeError
from app.workers import PoolStartError, WorkerCrashed, WorkerPool
from tests.workers.harness import HANDLER, run, until
from tests.workers.procs import (
    descendants,
    exists,
    parent_of,
    thread_count,
    wait_dead,
    wait_gone,
)


def test_a_program_that_spins_forever_costs_its_own_request_the_wall_time() -> None:
    async def scenario(pool: WorkerPool) -> None:
        before = set(pool.pids())
        neighbour = asyncio.create_task(pool.submit({"op": "sleep", "seconds": 0.3}))
        started = time.monotonic()
        with pytest.raises(LimitExceeded) as info:
            await pool.submit({"op": "spin"})
        elapsed = time.monotonic() - started
        assert 0.5 <= elapsed < 1.0
        assert (info.value.limit, info.value.value, info.value.status) == ("wall_time", 0.5, 422)
        assert "0.5 s" in info.value.detail
        assert (await neighbour)[0]["slept"] == 0.3  # the other request did not notice
        assert await pool.wait_until_full(3)
        killed = before - set(pool.pids())
        assert len(killed) == 1
        assert wait_gone(killed) == set()  # killed and reaped: not even a zombie
        stats = pool.stats()
        assert (stats.timeouts, stats.crashes, stats.restarts, stats.alive) == (1, 0, 1, 2)
        assert (await pool.submit({"op": "echo"}))[0] == {"echo": {"op": "echo"}}

    run(scenario, wall_time_s=0.5)


def test_a_cancelled_request_that_spins_is_still_killed_at_the_deadline() -> None:
    async def scenario(pool: WorkerPool) -> None:
        task = asyncio.create_task(pool.submit({"op": "spin"}))
        await until(lambda: pool.stats().busy == 1)
        task.cancel()
        await until(lambda: pool.stats().timeouts == 1, timeout=2)
        assert await pool.wait_until_full(3)
        assert (await pool.submit({"op": "echo"}))[0] == {"echo": {"op": "echo"}}

    run(scenario, size=1, wall_time_s=0.3)


def test_kill_9_of_a_busy_worker_from_outside_answers_503_and_the_next_request_succeeds() -> None:
    async def scenario(pool: WorkerPool) -> None:
        [pid] = pool.pids()
        task = asyncio.create_task(pool.submit({"op": "sleep", "seconds": 5}))
        await until(lambda: pool.stats().busy == 1)
        started = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(WorkerCrashed) as info:
            await task
        assert time.monotonic() - started < 0.5  # seen at once, not at the wall time
        assert (info.value.status, info.value.code, info.value.retry_after) == (
            503,
            "unavailable",
            1,
        )
        assert "stopped before answering" in info.value.detail
        assert await pool.wait_until_full(3)
        assert pool.pids() != [pid]
        assert wait_gone({pid}) == set()
        assert (await pool.submit({"op": "echo"}))[0] == {"echo": {"op": "echo"}}
        assert pool.stats().crashes == 1

    run(scenario, size=1)


@pytest.mark.parametrize("op", ["exit", "sigkill"])
def test_a_worker_that_dies_in_the_handler_is_a_crash_and_is_replaced(op: str) -> None:
    async def scenario(pool: WorkerPool) -> None:
        with pytest.raises(WorkerCrashed):
            await pool.submit({"op": op})
        assert await pool.wait_until_full(3)
        assert (await pool.submit({"op": "echo"}))[0] == {"echo": {"op": "echo"}}
        assert pool.stats().crashes == 1

    run(scenario, size=1)


def test_an_idle_worker_killed_from_outside_is_replaced() -> None:
    async def scenario(pool: WorkerPool) -> None:
        victim = pool.pids()[0]
        os.kill(victim, signal.SIGKILL)
        await until(lambda: victim not in pool.pids() and pool.stats().alive == 2)
        answers = await asyncio.gather(*(pool.submit({"op": "pid"}) for _ in range(4)))
        assert victim not in {a["pid"] for a, _ in answers}

    run(scenario)


def test_memory_past_the_limit_is_limit_exceeded_and_the_worker_starts_afresh() -> None:
    async def scenario(pool: WorkerPool) -> None:
        [pid] = pool.pids()
        ok, _ = await pool.submit({"op": "allocate", "bytes": 16 << 20})
        assert ok == {"allocated": 16 << 20}
        with pytest.raises(LimitExceeded) as info:
            await pool.submit({"op": "allocate", "bytes": 1 << 30})
        assert (info.value.limit, info.value.value) == ("memory_bytes", 64 << 20)
        assert "64 MiB" in info.value.detail
        assert await pool.wait_until_full(3)
        assert pool.pids() != [pid]
        assert pool.stats().crashes == 0
        assert (await pool.submit({"op": "allocate", "bytes": 16 << 20}))[0]["allocated"]

    run(scenario, size=1, memory_bytes=64 << 20)


def test_a_program_error_at_the_edge_of_memory_is_answered_and_the_worker_starts_afresh() -> None:
    # Measuring what the program left behind needs memory too (a read of
    # /proc): that must not crash the worker and lose the answer.
    async def scenario(pool: WorkerPool) -> None:
        [pid] = pool.pids()
        with pytest.raises(UserRuntimeError) as info:
            await pool.submit({"op": "exhaust"})
        assert (info.value.detail, info.value.line) == ("failed at the edge of its memory", 3)
        assert await pool.wait_until_full(3)
        assert pool.pids() != [pid]
        assert pool.stats().crashes == 0
        assert (await pool.submit({"op": "pid"}))[0]["pid"] != pid

    run(scenario, size=1, memory_bytes=64 << 20, growth_bytes=16 << 20)


def test_a_worker_grows_its_stack_before_its_memory_limit() -> None:
    # Grown later, past the limit, the stack would be a SIGSEGV (process_bounds.reserve_stack).
    async def scenario(pool: WorkerPool) -> None:
        [pid] = pool.pids()
        with open(f"/proc/{pid}/status") as status:
            stack = next(int(line.split()[1]) << 10 for line in status if line.startswith("VmStk"))
        soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
        wanted = (16 << 20 if soft == resource.RLIM_INFINITY else soft) - (2 << 20)
        assert stack >= wanted

    run(scenario, size=1, memory_bytes=64 << 20)


def test_the_fork_server_is_single_threaded_and_the_parent_of_every_worker() -> None:
    async def scenario(pool: WorkerPool) -> None:
        server = pool.forkserver_pid
        assert server is not None and parent_of(server) == os.getpid()
        assert thread_count(server) == 1
        assert {parent_of(pid) for pid in pool.pids()} == {server}

    run(scenario)


def test_when_the_fork_server_dies_its_workers_go_too_and_the_pool_recovers() -> None:
    async def scenario(pool: WorkerPool) -> None:
        server, workers = pool.forkserver_pid, set(pool.pids())
        assert server is not None
        os.kill(server, signal.SIGKILL)
        await until(lambda: pool.forkserver_pid != server and pool.stats().alive == 2, 10)
        assert wait_gone({server}) == set()  # ours to reap
        assert wait_dead(workers) == set()  # orphans: PID 1 reaps them
        assert not workers & set(pool.pids())
        assert (await pool.submit({"op": "echo"}))[0] == {"echo": {"op": "echo"}}

    run(scenario)


def test_close_leaves_no_process_behind() -> None:
    # Other fixtures (a session's server, its pool) may have processes of their own.
    before = descendants()

    async def scenario() -> set[int]:
        pool = WorkerPool(HANDLER, size=3, wall_time_s=5)
        await pool.start()
        assert pool.forkserver_pid is not None
        spawned = descendants() - before
        assert spawned == {pool.forkserver_pid, *pool.pids()}
        spinning = asyncio.create_task(pool.submit({"op": "spin"}))
        await until(lambda: pool.stats().busy == 1)
        await pool.close()
        spinning.cancel()
        return spawned

    spawned = asyncio.run(scenario())
    assert wait_gone(spawned, timeout=0.5) == set()
    assert descendants() == before


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        ("tests.workers.no_such_module:handle", "No module named 'tests.workers.no_such_module'"),
        ("tests.workers.handlers:nothing", "has no function 'nothing'"),
        ("tests.workers.handlers", "package.module:function"),
        ("tests.workers.bad_warmup:handle", "warm-up failed on purpose"),
    ],
)
def test_a_handler_that_cannot_start_fails_start_and_leaves_nothing(
    handler: str, message: str, capfd: pytest.CaptureFixture[str]
) -> None:
    before = descendants()

    async def scenario() -> None:
        with pytest.raises(PoolStartError, match=message):
            await WorkerPool(handler, size=2, start_timeout_s=20).start()

    asyncio.run(scenario())
    assert descendants() == before
    assert message.split("'")[0] in capfd.readouterr().err  # its traceback, for the operator


def test_settings_are_checked() -> None:
    bad: list[dict[str, Any]] = [{"size": 0}, {"queue_size": -1}, {"wall_time_s": 0}]
    for options in bad:
        with pytest.raises(ValueError):
            WorkerPool(HANDLER, **options)


def test_a_killed_server_process_takes_its_fork_server_and_workers_with_it(
    tmp_path: Any,
) -> None:
    """PR_SET_PDEATHSIG: a server killed by SIGKILL (no lifespan shutdown) leaks nothing."""
    import subprocess
    import sys

    script = (
        "import asyncio, sys\n"
        "from app.workers import WorkerPool\n"
        "async def main():\n"
        f"    pool = WorkerPool({HANDLER!r}, size=2)\n"
        "    await pool.start()\n"
        "    print(pool.forkserver_pid, *pool.pids(), flush=True)\n"
        "    await asyncio.sleep(60)\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env)
    try:
        assert server.stdout is not None
        pids = {int(p) for p in server.stdout.readline().split()}
        assert len(pids) == 3 and all(exists(p) for p in pids)
    finally:
        server.kill()
        server.wait()
        if server.stdout is not None:
            server.stdout.close()
    assert wait_dead(pids) == set()
