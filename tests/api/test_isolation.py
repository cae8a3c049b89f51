"""A program that spins forever costs its own request the wall time, and nothing else."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, start_server, stop_server
from tests.workers.procs import cmdline, descendants, parent_of

SPIN = "x = 0\nfor i in range(10**12):\n    x = x + 1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Steps are effectively unbounded here so only the wall time can stop SPIN.
    env = {"AUTOGRAD_VIZ_STEPS": str(10**15), "AUTOGRAD_VIZ_POOL_SIZE": "2"}
    live = start_server(tmp_path_factory.mktemp("isolation"), env, name="isolation")
    yield live
    stop_server(live)


def pool(http: httpx.Client) -> dict[str, Any]:
    health: dict[str, Any] = http.get("/healthz").json()["pool"]
    return health


def wait_full(http: httpx.Client, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while (state := pool(http))["alive"] < state["size"]:
        assert time.monotonic() < deadline, state
        time.sleep(0.05)


def test_spinning_forever_is_stopped_at_the_wall_time(server: LiveServer) -> None:
    answers: dict[str, Any] = {}

    def spin() -> None:
        with server.client() as http:
            started = time.monotonic()
            answers["spin"] = http.post("/api/v1/evaluate", json={"source": SPIN})
            answers["spin_s"] = time.monotonic() - started

    with server.client() as http:
        wait_full(http)
        restarts = pool(http)["restarts"]
        spinner = threading.Thread(target=spin)
        spinner.start()
        time.sleep(0.3)
        # Meanwhile, others are served at once by the other process.
        quick = []
        for i in range(10):
            started = time.monotonic()
            response = http.post(
                "/api/v1/evaluate", json={"source": f"3*sin(x) + {i}", "inputs": {"x": 5}}
            )
            quick.append(time.monotonic() - started)
            assert response.status_code == 200
        spinner.join()
        assert max(quick) < 1.0, quick
        spun = answers["spin"]
        assert spun.status_code == 422
        problem = spun.json()
        assert problem["code"] == "limit_exceeded" and problem["limit"] == "wall_time"
        assert "3" in problem["detail"]
        assert 2.9 <= answers["spin_s"] < 4.5, answers["spin_s"]
        # The worker was killed and replaced: back to full size, next request fine.
        wait_full(http)
        assert pool(http)["restarts"] == restarts + 1
        after = http.post("/api/v1/evaluate", json={"source": "1 + 1"})
        assert after.status_code == 200 and after.json()["value"] == 2


def test_a_worker_killed_mid_request(server: LiveServer) -> None:
    answers: dict[str, httpx.Response] = {}

    def spin() -> None:
        with server.client() as http:
            answers["spin"] = http.post("/api/v1/evaluate", json={"source": SPIN + "\nx"})

    with server.client() as http:
        wait_full(http)
        before = descendants(server.process.pid)
        spinner = threading.Thread(target=spin)
        spinner.start()
        deadline = time.monotonic() + 5
        while pool(http)["busy"] == 0:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        # The fork server's children are the workers (their children, the
        # layout processes, die with them): kill every worker.
        workers = [
            pid
            for pid in before
            if parent_of(pid) in before and "app.graphviz.process" not in cmdline(pid)
        ]
        assert len(workers) == 2, workers
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        spinner.join()
        answer = answers["spin"]
        assert answer.status_code == 503, answer.text
        assert answer.json()["code"] == "unavailable" and "retry-after" in answer.headers
        wait_full(http)
        assert http.post("/api/v1/evaluate", json={"source": "2 * 3"}).json()["value"] == 6
        # No leaked processes: as many as before, none of the killed ones.
        now = descendants(server.process.pid)
        assert len(now) == len(before) and not now & set(workers)
