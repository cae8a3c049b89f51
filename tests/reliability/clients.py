"""Concurrent clients for the load and fault tests: asyncio tasks, one
keep-alive connection each (tests/reliability/wire.py), as separate
browsers and course pages would be.

Each client asks its `plan` for the next Probe, sends it, checks the answer
and records an Outcome; a wrong answer or a transport error is recorded,
never raised, so one failure does not hide the others.
"""

from __future__ import annotations

import asyncio
import math
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.reliability.traffic import Probe
from tests.reliability.wire import Connection, WireError

Plan = Callable[[int, random.Random, int], Probe]  # (client, rng, sequence) -> Probe


@dataclass(frozen=True)
class Outcome:
    client: int
    category: str
    benign: bool
    status: int | None  # None: no answer (connection refused, reset, timed out)
    seconds: float
    problem: str | None  # what was wrong; None when the answer was right
    started: float  # monotonic time the request was sent


async def _client(
    url: str,
    index: int,
    plan: Plan,
    going: Callable[[], bool],
    seed: int,
    timeout: float,
    pause: float,
    out: list[Outcome],
) -> None:
    rng = random.Random(seed * 1_000 + index)
    sequence = 0
    connection = Connection(url, timeout)
    try:
        while going():
            probe = plan(index, rng, sequence)
            sequence += 1
            started = time.monotonic()
            status: int | None = None
            problem: str | None = None
            try:
                response = await probe.send(connection)
                status = response.status_code
                try:
                    probe.check(response)
                except (AssertionError, KeyError, TypeError, ValueError) as exc:
                    problem = f"wrong answer: {type(exc).__name__}: {exc!s:.500}"
            except WireError as exc:
                problem = f"no answer: {exc!s:.200}"
            seconds = time.monotonic() - started
            out.append(
                Outcome(index, probe.category, probe.benign, status, seconds, problem, started)
            )
            if problem is not None and pause:
                await asyncio.sleep(pause)  # as a browser would, rather than spin on a refusal
            await asyncio.sleep(0)  # let the others run even if answers come at once
    finally:
        await connection.close()


async def run_clients(
    url: str,
    count: int,
    seconds: float,
    plan: Plan,
    *,
    seed: int = 0,
    timeout: float = 60.0,
    pause_after_failure: float = 0.0,
    at_least: int = 0,
    at_most_s: float | None = None,
) -> list[Outcome]:
    """`count` clients sending `plan`'s probes for `seconds` (and on, up to
    `at_most_s` in all, until `at_least` requests are answered); every outcome."""
    started = time.monotonic()
    until = started + seconds
    hard_stop = started + (at_most_s if at_most_s is not None else seconds)
    outcomes: list[Outcome] = []

    def going() -> bool:
        now = time.monotonic()
        return now < until or (len(outcomes) < at_least and now < hard_stop)

    pause = pause_after_failure
    await asyncio.gather(
        *(_client(url, i, plan, going, seed, timeout, pause, outcomes) for i in range(count))
    )
    return outcomes


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    benign = [o.seconds for o in outcomes if o.benign]
    by_category = Counter(o.category.split(":")[0] for o in outcomes)
    seconds: dict[str, list[float]] = {}
    for o in outcomes:
        seconds.setdefault(o.category.split(":")[0], []).append(o.seconds)
    statuses = Counter(str(o.status) for o in outcomes)
    return {
        "requests": len(outcomes),
        "benign": len(benign),
        "hostile": len(outcomes) - len(benign),
        "benign_p50_ms": round(percentile(benign, 50) * 1000, 1),
        "benign_p99_ms": round(percentile(benign, 99) * 1000, 1),
        "benign_mean_ms": round(statistics.fmean(benign) * 1000, 1) if benign else None,
        "benign_max_ms": round(max(benign, default=0.0) * 1000, 1),
        "by_category": dict(sorted(by_category.items())),
        "mean_ms_by_category": {
            name: round(statistics.fmean(times) * 1000, 1)
            for name, times in sorted(seconds.items())
        },
        "by_status": dict(sorted(statuses.items())),
    }
