"""Requests through a real pool of real processes (app.workers.pool, line, worker)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from typing import Any

import pytest

from app import errors
from app.workers import PoolBusy, PoolClosed, WorkerError, WorkerPool
from tests.workers.handlers import CustomLimit
from tests.workers.harness import HANDLER, run, until


def test_round_trip_and_stats() -> None:
    async def scenario(pool: WorkerPool) -> None:
        stats = pool.stats()
        assert (stats.size, stats.alive, stats.idle, stats.busy, stats.waiting) == (2, 2, 2, 0, 0)
        answer, payload = await pool.submit({"op": "echo", "n": [1, 2.5, None, True]})
        assert answer == {"echo": {"op": "echo", "n": [1, 2.5, None, True]}}
        assert payload is None
        assert pool.stats().served == 1
        assert len(pool.pids()) == 2
        assert pool.stats().as_dict()["alive"] == 2

    run(scenario)


def test_strings_of_any_kind_cross_unchanged() -> None:
    nasty = {
        "source": "x = 1\x00\r\n\u2028'\"\\ \ud800 \U0001f600",
        "pickle": "cos\nsystem\n(S'echo pwned'\ntR.",
        "keys": {"\ud83d": "lone surrogate key", "": ""},
        "numbers": [2**100, -0.0, 1e308, float("inf")],
    }

    async def scenario(pool: WorkerPool) -> None:
        answer, _ = await pool.submit({"op": "echo", **nasty})
        assert answer["echo"] == {"op": "echo", **nasty}

    run(scenario)


def test_binary_payload_arrives_byte_for_byte() -> None:
    async def scenario(pool: WorkerPool) -> None:
        answer, payload = await pool.submit({"op": "bytes", "size": 3 << 20})
        assert answer == {"size": 3 << 20}
        assert payload == bytes(range(256)) * (3 << 12)

    run(scenario)


def test_warm_up_runs_once_in_each_worker_after_the_fork() -> None:
    async def scenario(pool: WorkerPool) -> None:
        answers = await asyncio.gather(*(pool.submit({"op": "pid"}) for _ in range(4)))
        assert {a["warmed"] for a, _ in answers} == {1}  # not run in the fork server too

    run(scenario)


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ("runtime", errors.UserRuntimeError("x is not defined", line=2, column=5, end_line=2,
                                            end_column=6)),
        ("limit", errors.LimitExceeded("steps", 100_000, "the program ran more than 100000 steps",
                                       line=4)),
        ("custom", CustomLimit("a custom limit", [1, 2, 3])),
        ("local", errors.UserRuntimeError("made up", line=1, column=1)),
    ],
)  # fmt: skip
def test_handler_errors_arrive_as_their_class_with_their_fields(
    op: str, expected: errors.VisualizerError
) -> None:
    async def scenario(pool: WorkerPool) -> None:
        with pytest.raises(errors.VisualizerError) as info:
            await pool.submit({"op": op})
        assert type(info.value) is type(expected)
        assert vars(info.value) == vars(expected)
        assert info.value.to_dict() == expected.to_dict()
        assert (await pool.submit({"op": "echo"}))[0]["echo"] == {"op": "echo"}

    run(scenario, size=1)


def test_a_handler_bug_is_an_internal_error_without_internals(
    capfd: pytest.CaptureFixture[str],
) -> None:
    async def scenario(pool: WorkerPool) -> None:
        pid = pool.pids()[0]
        with pytest.raises(WorkerError) as info:
            await pool.submit({"op": "bug"}, request_id="req-42")
        assert info.value.status == 500 and info.value.code == "internal_error"
        assert "req-42" in info.value.detail
        assert "secret" not in info.value.detail and "ValueError" not in info.value.detail
        assert pool.pids() == [pid]  # the process survives a handler's exception
        with pytest.raises(WorkerError):
            await pool.submit({"op": "bad_answer"})  # an answer JSON cannot carry
        assert pool.pids() == [pid]

    run(scenario, size=1)
    err = capfd.readouterr().err
    assert "request req-42 failed" in err
    assert "ValueError: secret internals" in err


def test_system_exit_in_a_handler_is_answered_then_the_process_is_replaced() -> None:
    async def scenario(pool: WorkerPool) -> None:
        before = pool.pids()
        with pytest.raises(WorkerError):
            await pool.submit({"op": "exit_handler"})
        assert await pool.wait_until_full(5)
        assert pool.pids() != before
        assert pool.stats().crashes == 0

    run(scenario, size=1)


def test_concurrent_requests_on_a_pool_of_two_all_succeed() -> None:
    async def scenario(pool: WorkerPool) -> None:
        answers = await asyncio.gather(
            *(pool.submit({"op": "sleep", "seconds": 0.02, "i": i}) for i in range(16))
        )
        assert [a["slept"] for a, _ in answers] == [0.02] * 16
        assert {a["pid"] for a, _ in answers} == set(pool.pids())
        stats = pool.stats()
        assert (stats.served, stats.busy, stats.waiting, stats.alive) == (16, 0, 0, 2)

    run(scenario)


def test_a_full_queue_answers_pool_busy_at_once() -> None:
    async def scenario(pool: WorkerPool) -> None:
        first = asyncio.create_task(pool.submit({"op": "sleep", "seconds": 0.3}))
        await until(lambda: pool.stats().busy == 1)
        second = asyncio.create_task(pool.submit({"op": "echo"}))
        await until(lambda: pool.stats().waiting == 1)
        started = time.monotonic()
        with pytest.raises(PoolBusy) as info:
            await pool.submit({"op": "echo"})
        assert time.monotonic() - started < 0.25
        assert (info.value.status, info.value.code, info.value.retry_after) == (
            503,
            "unavailable",
            2,
        )
        assert (await first)[0]["slept"] == 0.3
        assert (await second)[0]["echo"] == {"op": "echo"}

    run(scenario, size=1, queue_size=1)


def test_no_queue_means_busy_as_soon_as_every_process_is() -> None:
    async def scenario(pool: WorkerPool) -> None:
        first = asyncio.create_task(pool.submit({"op": "sleep", "seconds": 0.2}))
        await until(lambda: pool.stats().busy == 1)
        with pytest.raises(PoolBusy):
            await pool.submit({"op": "echo"})
        await first

    run(scenario, size=1, queue_size=0)


def test_waiting_longer_than_the_queue_timeout_is_pool_busy() -> None:
    async def scenario(pool: WorkerPool) -> None:
        first = asyncio.create_task(pool.submit({"op": "sleep", "seconds": 0.5}))
        await until(lambda: pool.stats().busy == 1)
        started = time.monotonic()
        with pytest.raises(PoolBusy, match="within 0.15 s"):
            await pool.submit({"op": "echo"})
        assert 0.15 <= time.monotonic() - started < 0.4
        assert pool.stats().waiting == 0
        await first

    run(scenario, size=1, queue_timeout_s=0.15)


def test_a_cancelled_request_lets_its_worker_finish_and_return() -> None:
    async def scenario(pool: WorkerPool) -> None:
        pid = pool.pids()[0]
        task = asyncio.create_task(pool.submit({"op": "sleep", "seconds": 0.2}))
        await until(lambda: pool.stats().busy == 1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        answer, _ = await pool.submit({"op": "pid"})  # waits for the same process
        assert answer["pid"] == pid
        assert (pool.stats().restarts, pool.stats().crashes) == (0, 0)

    run(scenario, size=1)


def test_a_cancelled_waiter_does_not_lose_the_worker() -> None:
    async def scenario(pool: WorkerPool) -> None:
        first = asyncio.create_task(pool.submit({"op": "sleep", "seconds": 0.1}))
        await until(lambda: pool.stats().busy == 1)
        waiting = [asyncio.create_task(pool.submit({"op": "echo", "i": i})) for i in range(3)]
        await until(lambda: pool.stats().waiting == 3)
        waiting[0].cancel()
        await first
        answers = await asyncio.gather(*waiting[1:])
        assert [a["echo"]["i"] for a, _ in answers] == [1, 2]
        assert pool.stats().idle == 1

    run(scenario, size=1)


def test_recycling_replaces_a_worker_after_its_quota_without_counting_a_crash() -> None:
    async def scenario(pool: WorkerPool) -> None:
        pids = [(await pool.submit({"op": "pid"}))[0]["pid"] for _ in range(3)]
        assert pids[0] == pids[1] != pids[2]
        assert await pool.wait_until_full(5)
        stats = pool.stats()
        assert (stats.crashes, stats.alive) == (0, 1)
        assert stats.restarts >= 1

    run(scenario, size=1, recycle_after=2)


def test_idle_workers_take_turns() -> None:
    # First in, first out: one client's requests in a row go round the pool
    # (last in, first out gave them all to one process, with its leftovers).
    async def scenario(pool: WorkerPool) -> None:
        pids = [(await pool.submit({"op": "pid"}))[0]["pid"] for _ in range(6)]
        assert len(set(pids)) == 2
        assert pids[0::2] == [pids[0]] * 3 and pids[1::2] == [pids[1]] * 3

    run(scenario)


def test_a_worker_holding_what_requests_left_behind_is_retired_before_the_next() -> None:
    async def scenario(pool: WorkerPool) -> None:
        first, _ = await pool.submit({"op": "leak", "bytes": 12 << 20})
        second, _ = await pool.submit({"op": "leak", "bytes": 12 << 20})  # 24 MiB > 16: its last
        third, _ = await pool.submit({"op": "leak", "bytes": 12 << 20})
        assert first["pid"] == second["pid"] != third["pid"]
        assert (first["leaked"], second["leaked"], third["leaked"]) == (1, 2, 1)
        assert await pool.wait_until_full(5)
        stats = pool.stats()
        assert (stats.crashes, stats.alive) == (0, 1) and stats.restarts >= 1

    run(scenario, size=1, growth_bytes=16 << 20)


def test_a_worker_holding_address_space_requests_left_behind_is_retired() -> None:
    # Mapped, never touched: no anonymous memory, but RLIMIT_AS counts it,
    # so the next program would have that much less room (audit16 F1).
    async def scenario(pool: WorkerPool) -> None:
        first, _ = await pool.submit({"op": "map", "bytes": 8 << 20})
        second, _ = await pool.submit({"op": "map", "bytes": 12 << 20})  # 20 MiB > 16: its last
        third, _ = await pool.submit({"op": "map", "bytes": 8 << 20})
        assert first["pid"] == second["pid"] != third["pid"]
        assert (first["mapped"], second["mapped"], third["mapped"]) == (1, 2, 1)
        assert await pool.wait_until_full(5)
        stats = pool.stats()
        assert (stats.crashes, stats.alive) == (0, 1) and stats.restarts >= 1

    run(scenario, size=1, growth_bytes=16 << 20)


def test_address_space_one_request_left_does_not_shrink_the_next_programs_room() -> None:
    # 40 of the 64 MiB the limit allows, left mapped: without retirement the
    # next program's 48 MiB would be a memory error that was not its own.
    async def scenario(pool: WorkerPool) -> None:
        await pool.submit({"op": "map", "bytes": 40 << 20})
        answer, _ = await pool.submit({"op": "allocate", "bytes": 48 << 20})
        assert answer == {"allocated": 48 << 20}
        assert pool.stats().crashes == 0

    run(scenario, size=1, memory_bytes=64 << 20, growth_bytes=16 << 20)


def test_a_pool_replacing_every_process_is_serving() -> None:
    # Each leaking request retires its process: for the fork of its
    # replacement none is ready, and /healthz must not say the pool is
    # down then (audit16 F3): the next request waits and is served.
    async def scenario(pool: WorkerPool) -> None:
        assert pool.serving()
        for _ in range(3):
            answer, _ = await pool.submit({"op": "leak", "bytes": 24 << 20})  # its last
            assert pool.stats().alive == 0 and pool.serving(), pool.stats()
            assert (await pool.submit({"op": "pid"}))[0]["pid"] != answer["pid"]
        assert pool.stats().crashes == 0

    run(scenario, size=1, growth_bytes=16 << 20)


def test_a_pool_that_cannot_start_processes_is_not_serving_until_it_can() -> None:
    from tests.workers.fragile import marker

    async def scenario(pool: WorkerPool) -> None:
        assert pool.serving() and pool.forkserver_pid is not None
        broken = marker(os.getpid())
        broken.touch()
        try:
            os.kill(pool.forkserver_pid, signal.SIGKILL)  # its workers die with it
            await until(lambda: not pool.serving(), 10)
            assert pool.stats().alive == 0
        finally:
            broken.unlink()
        await until(pool.serving, 15)  # the pool retries, backing off, until one starts
        assert (await pool.submit({}))[0]["pid"] in pool.pids()

    async def main() -> None:
        async with WorkerPool(
            "tests.workers.fragile:handle", size=1, wall_time_s=2.0, start_timeout_s=20.0
        ) as pool:
            await scenario(pool)
        assert not pool.serving()  # closed

    asyncio.run(main())


def test_memory_that_is_freed_or_answered_is_not_a_leftover() -> None:
    async def scenario(pool: WorkerPool) -> None:
        pids = set()
        for _ in range(4):
            answer, payload = await pool.submit(
                {"op": "garbage", "bytes": 64 << 20, "answer": 24 << 20}
            )
            pids.add(answer["pid"])
            assert payload is not None and len(payload) == 24 << 20
        assert len(pids) == 1 and pool.stats().restarts == 0

    run(scenario, size=1, growth_bytes=16 << 20)


def test_an_answer_past_the_pools_bound_is_a_broken_worker() -> None:
    # The server does not trust a worker's answer to be small: past
    # max_payload (the server's is the answer's byte limit) the frame is
    # refused from its header, the worker killed and replaced.
    from app.workers import WorkerCrashed

    async def scenario(pool: WorkerPool) -> None:
        answer, payload = await pool.submit({"op": "bytes", "size": 1 << 20})
        assert payload is not None and len(payload) == 1 << 20
        with pytest.raises(WorkerCrashed):
            await pool.submit({"op": "bytes", "size": 2 << 20})
        assert await pool.wait_until_full(5)
        answer, _ = await pool.submit({"op": "echo"})
        assert answer == {"echo": {"op": "echo"}}

    run(scenario, size=1, max_payload=1 << 20)


def test_submit_outside_start_and_close_is_pool_closed() -> None:
    async def scenario() -> None:
        pool = WorkerPool(HANDLER, size=1)
        with pytest.raises(PoolClosed):
            await pool.submit({"op": "echo"})
        await pool.start()
        await pool.close()
        await pool.close()  # idempotent
        with pytest.raises(PoolClosed):
            await pool.submit({"op": "echo"})

    asyncio.run(scenario())


def test_close_answers_requests_in_flight_and_waiting_with_pool_closed() -> None:
    async def scenario() -> None:
        pool = WorkerPool(HANDLER, size=1)
        await pool.start()
        running = asyncio.create_task(pool.submit({"op": "sleep", "seconds": 5}))
        await until(lambda: pool.stats().busy == 1)
        waiting = asyncio.create_task(pool.submit({"op": "echo"}))
        await until(lambda: pool.stats().waiting == 1)
        started = time.monotonic()
        await pool.close()
        assert time.monotonic() - started < 2
        for task in (running, waiting):
            with pytest.raises(PoolClosed):
                await task

    asyncio.run(scenario())


def test_a_pool_in_an_asgi_lifespan_serves_from_the_test_clients_thread() -> None:
    """The conftest's `client` runs the lifespan on a portal thread; the pool must live there."""
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with WorkerPool(HANDLER, size=1) as pool:
            app.state.pool = pool
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/echo")
    async def echo(text: str) -> dict[str, Any]:
        pool: WorkerPool = app.state.pool
        answer, _ = await pool.submit({"op": "echo", "text": text})
        return answer

    with TestClient(app) as client:
        for text in ("a", "b\u00e9"):
            assert client.get("/echo", params={"text": text}).json()["echo"]["text"] == text
