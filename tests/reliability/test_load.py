"""Sustained load with hostile traffic against a real server (`python -m app serve`).

50 clients for 60 s against 2 server processes, each with 2 evaluation
processes, as deploy/ runs it (with one each, a program spinning for its 3 s
leaves its server process nothing to evaluate with, and the queue behind it
is the whole story; with two, the other keeps serving). Client 0 is an
attacker that spins past the wall time every few seconds and allocates
past the memory limit; client 1 sends amplification every 2 s (programs
whose answers would pass the byte limit, the heaviest pages, programs that
leave memory behind in their evaluation process) and the hostile corpus
between; clients 2-9 send the hostile corpus and malformed or oversized
HTTP; clients 10-49 are students and course pages: the seed lessons, their
images (revalidated with If-None-Match), random expressions and random
short programs (a function, a loop, a branch),
checked against real torch. Every benign answer must be right,
every hostile one a 4xx problem document (an amplification one a 200
within its bound); the benign p50/p99 go to test-artifacts/load-report.json,
and the benign p99 and the cached images' p99 must stay bounded.

What is deliberately not the default here:
- the queue: 50 clients on 2 evaluation processes is an overload, and by
  default more than 32 waiting requests, or a wait over 10 s, get a 503 (the
  documented answer to overload). Here the queue holds 64 for 30 s, so every
  honest request is answered, and the test can require that;
- the memory limit: 128 MiB instead of 1 GiB, because with the default
  element limits no program reaches 1 GiB; at 128 MiB the memory bomb does,
  so the RLIMIT_AS path runs under load too.

RSS is measured at rest (clients stopped, pools full) once the warm-up has
brought every long-lived process to its steady size, and again after the
next 50 s, which must hold at least 10,000 requests (on a busy machine the
clients go on until they have sent them). The warm-up runs in rounds of
10 s, measuring after each, until no long-lived process grew by more than
3% over a round (at most 4 rounds). The answer cache is held to 32 entries
and 1 MiB: a bounded cache is not a leak, but one whose entries keep being
replaced takes a while to reach its steady size in the allocator's heap
(measured: with 256 entries and 4 MiB, a server process went on growing
from about 62 to 70 MiB, in steps, for a minute or more, then stayed flat;
with 8 entries it grew 3% over the minute, no step), which would make the
comparison one of the cache's age, not of leaks.

How processes are counted. Server processes, fork servers and the
supervisor live through the run, so each is compared with itself (within
10%). Before each measurement 2 s of honest requests from 16 clients reach
every evaluation process, so none is measured fresh from the fork server
at one end and grown by its work at the other. Evaluation processes do not
live through the run: wall-time kills and memory bombs replace
them (a process that ran out of memory is replaced on purpose: glibc keeps
its heap at its largest). A replacement is forked from the same fork server
and warmed up before it takes work, so it starts where its predecessor
started. We therefore compare them by slot: the sum over the evaluation
processes alive at each measurement (within 10%), so a replacement does not
count as a leak. Replacements are frequent here (often every process of the
pools is new by the end), so this bound says little about a leak inside the
evaluation code: tests/workers/test_leaks.py holds one evaluation process,
never replaced, to 10% over 4,000 requests. The report also gives their
anonymous RSS (RssAnon: heap, not library pages touched for the first time).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ARTIFACTS, LiveServer, start_server, stop_server
from tests.reliability import traffic
from tests.reliability.clients import Outcome, percentile, run_clients, summary
from tests.reliability.traffic import Probe
from tests.reliability.tree import Tree, wait_for_full_pools

pytestmark = [pytest.mark.load, pytest.mark.timeout(240)]

SERVERS = 2
POOL_SIZE = 2
CLIENTS = 50
WARM_UP_ROUND_S = 10.0
WARM_UP_ROUNDS = 4
SETTLED = 1.03  # growth over a warm-up round of a process at its steady size
MEASURED_S = 50.0
MIN_MEASURED_REQUESTS = 10_000
# On a machine shared with other work the 50 s may hold fewer than 10,000
# requests: the clients then go on until they have sent them, up to this.
MEASURED_MAX_S = 100.0
SPIN_EVERY_S = 8.0
AMPLIFY_EVERY_S = 2.0
ENV = {
    "AUTOGRAD_VIZ_POOL_SIZE": str(POOL_SIZE),
    "AUTOGRAD_VIZ_QUEUE_SIZE": "64",
    "AUTOGRAD_VIZ_QUEUE_TIMEOUT_S": "30",
    "AUTOGRAD_VIZ_MEMORY_MB": "128",
    "AUTOGRAD_VIZ_CACHE_ENTRIES": "32",
    "AUTOGRAD_VIZ_CACHE_MB": "1",
    "AUTOGRAD_VIZ_LOG_LEVEL": "warning",  # no access log line for each of ~15,000 requests
}


class Traffic:
    """The plan of every client (see the module docstring)."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)
        self.unique = itertools.count()  # spinning programs must miss the answer cache
        self.last_spin = 0.0
        self.last_amplification = 0.0
        self.amplification = itertools.cycle(range(3))
        self.etags: dict[int, dict[str, str]] = {}

    def __call__(self, client: int, rng: random.Random, sequence: int) -> Probe:
        if client == 0:
            now = time.monotonic()
            if now - self.last_spin > SPIN_EVERY_S:
                self.last_spin = now
                return traffic.spin_probe(next(self.unique))
            if sequence % 4 == 1:
                return traffic.memory_probe(next(self.unique))
            return traffic.corpus_probe(rng, self.marker)
        if client == 1:
            now = time.monotonic()
            if now - self.last_amplification > AMPLIFY_EVERY_S:
                # Each costs an evaluation process up to a second of CPU: few
                # enough that honest traffic still has the machine.
                self.last_amplification = now
                turn = next(self.amplification)
                if turn == 0:
                    return traffic.big_answer_probe(rng)
                if turn == 1:
                    return traffic.heavy_page_probe(rng)
                return traffic.leak_probe(next(self.unique))
            return traffic.corpus_probe(rng, self.marker)
        if client < 10:
            if rng.random() < 0.7:
                return traffic.corpus_probe(rng, self.marker)
            return traffic.malformed_probe(rng)
        roll = rng.random()
        lesson = rng.choice(traffic.LESSONS)
        if roll < 0.4:
            return traffic.lesson_probe(lesson)
        if roll < 0.8:
            return traffic.lesson_image_probe(lesson, self.etags.setdefault(client, {}))
        if roll < 0.9:
            return traffic.expression_probe(rng)
        return traffic.program_probe(rng)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(
        tmp_path_factory.mktemp("load"), ENV, workers=SERVERS, name="load", cli=True
    )
    yield live
    stop_server(live)


Snapshot = dict[str, dict[int, int]]  # role -> pid -> bytes


def benign_only(client: int, rng: random.Random, sequence: int) -> Probe:
    if sequence % 2:
        return traffic.lesson_probe(rng.choice(traffic.LESSONS))
    return traffic.expression_probe(rng)


def at_rest(server: LiveServer) -> tuple[Snapshot, Snapshot]:
    """RSS (and its anonymous part) of every process once the clients have
    stopped and the pools are full, each evaluation process having done some
    honest work first: a process replaced a moment ago (after a memory bomb,
    say) is smaller than one that has worked, which would make the
    comparison one of ages, not of leaks."""
    wait_for_full_pools(server.process.pid, SERVERS, POOL_SIZE, timeout=20)
    # Concurrent, so that every process of both pools takes some of it.
    settle = asyncio.run(run_clients(server.url, 4 * SERVERS * POOL_SIZE, 2.0, benign_only))
    assert settle and all(o.problem is None for o in settle)
    time.sleep(0.5)  # let freed memory settle before reading RSS
    tree: Tree = wait_for_full_pools(server.process.pid, SERVERS, POOL_SIZE, timeout=20)
    return tree.rss(), tree.rss("RssAnon")


def settled(before: Snapshot, after: Snapshot) -> bool:
    """No long-lived process grew by more than SETTLED between the two."""
    return all(
        after[role].get(pid, 0) <= rss * SETTLED
        for role in ("supervisor", "servers", "forkservers")
        for pid, rss in before[role].items()
    )


def mib(value: float) -> float:
    return round(value / (1 << 20), 1)


def compare_rss(start: tuple[Snapshot, Snapshot], end: tuple[Snapshot, Snapshot]) -> dict[str, Any]:
    """RSS by role at both measurements, for the report and the bounds."""
    (before, anon_before), (after, anon_after) = start, end
    report: dict[str, Any] = {}
    for role in ("supervisor", "servers", "forkservers"):
        assert list(before[role]) == list(after[role]), f"a {role} process was replaced"
        report[role] = [
            {"pid": pid, "start_mib": mib(rss), "end_mib": mib(after[role][pid])}
            for pid, rss in before[role].items()
        ]
    workers_start, workers_end = sum(before["workers"].values()), sum(after["workers"].values())
    report["workers"] = {
        "start_pids": list(before["workers"]),
        "end_pids": list(after["workers"]),
        "start_mib": mib(workers_start),
        "end_mib": mib(workers_end),
        "anonymous_start_mib": mib(sum(anon_before["workers"].values())),
        "anonymous_end_mib": mib(sum(anon_after["workers"].values())),
    }
    total_start = sum(sum(role.values()) for role in before.values())
    total_end = sum(sum(role.values()) for role in after.values())
    report["total"] = {"start_mib": mib(total_start), "end_mib": mib(total_end)}
    return report


def test_fifty_clients_with_hostile_traffic(server: LiveServer, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    plan = Traffic(marker)
    started = time.monotonic()
    warm: list[Outcome] = []
    first: tuple[Snapshot, Snapshot] | None = None
    for round_number in range(WARM_UP_ROUNDS):
        warm += asyncio.run(
            run_clients(server.url, CLIENTS, WARM_UP_ROUND_S, plan, seed=10 + round_number)
        )
        previous, first = first, at_rest(server)
        if previous is not None and settled(previous[0], first[0]):
            break
    assert first is not None
    measured = asyncio.run(
        run_clients(
            server.url,
            CLIENTS,
            MEASURED_S,
            plan,
            seed=2,
            at_least=MIN_MEASURED_REQUESTS,
            at_most_s=MEASURED_MAX_S,
        )
    )
    last = at_rest(server)
    elapsed = time.monotonic() - started

    with httpx.Client(base_url=server.url, timeout=10) as http:
        # New connections land on either server process: each must report a
        # full pool. A process retired by the last requests (what a leaking
        # program left behind) is replaced at once, but its replacement may
        # still be warming up (the process tree above counts it already).
        deadline = time.monotonic() + 30
        while True:
            health = [http.get("/healthz", headers={"connection": "close"}) for _ in range(10)]
            pools = [h.json()["pool"] for h in health if h.status_code == 200]
            full = len(pools) == 10 and all(p["alive"] == p["size"] for p in pools)
            if full or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        final = http.post(
            "/api/v1/evaluate", json={"source": "3*sin(x) + x + 3", "inputs": {"x": 5}}
        )
    rss = compare_rss(first, last)
    outcomes: list[Outcome] = warm + measured
    report: dict[str, Any] = {
        "clients": CLIENTS,
        "server_processes": SERVERS,
        "evaluation_processes_per_server": POOL_SIZE,
        "seconds": round(elapsed, 1),
        "warm_up_rounds": round_number + 1,
        "all": summary(outcomes),
        "warm_up": summary(warm),
        "measured": summary(measured),
        "rss": rss,
    }
    images = [o.seconds for o in measured if o.category == "image"]
    report["measured"]["image_p99_ms"] = round(percentile(images, 99) * 1000, 1)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load-report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"\nload: {len(outcomes)} requests in {elapsed:.0f} s, "
        f"benign p50 {report['all']['benign_p50_ms']} ms, p99 {report['all']['benign_p99_ms']} ms"
        f"; RSS {rss['total']['start_mib']} -> {rss['total']['end_mib']} MiB"
    )

    wrong = [o for o in outcomes if o.problem is not None]
    assert not wrong, f"{len(wrong)} wrong answers, e.g. {wrong[:5]}"
    categories = set(report["all"]["by_category"])
    assert {"lesson", "image", "expression", "program", "corpus", "spin", "memory"} <= categories
    assert {"huge-body", "huge-chunked", "huge-query", "deep-input"} <= categories
    assert {"big-answer", "heavy-page", "leak"} <= categories
    assert len(measured) >= MIN_MEASURED_REQUESTS, len(measured)
    assert not marker.exists() and not list(tmp_path.iterdir())

    assert all(h.status_code == 200 for h in health)
    pools = [h.json()["pool"] for h in health]
    assert all(p["alive"] == p["size"] == POOL_SIZE and p["busy"] == 0 for p in pools), pools
    assert final.status_code == 200 and abs(final.json()["value"] - 5.1232) < 1e-3

    for entry in rss["servers"] + rss["forkservers"] + rss["supervisor"]:
        assert entry["end_mib"] <= entry["start_mib"] * 1.10, entry
    assert rss["workers"]["end_mib"] <= rss["workers"]["start_mib"] * 1.10, rss["workers"]
    # Latency: an overloaded machine (50 clients, 2 cores) answers slowly,
    # but amplification must not make honest requests wait for seconds.
    assert report["measured"]["benign_p99_ms"] < 5_000, report["measured"]
    assert report["measured"]["image_p99_ms"] < 2_000, report["measured"]
    assert elapsed < 170, elapsed  # the 3 minutes, the server's start included
