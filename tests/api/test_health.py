from __future__ import annotations

import collections
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from app import __version__
from app.api.health import Health
from tests.conftest import LiveServer, start_server, stop_server
from tests.evaluate.hostile_amplification import LEAK


def test_healthz_in_process(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["version"] == __version__
    assert body["pool"]["alive"] >= 1 and body["pool"]["size"] >= body["pool"]["alive"]
    assert response.headers["cache-control"] == "no-store"


def test_healthz_live(live_server: LiveServer) -> None:
    with live_server.client() as http:
        response = http.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_is_documented_for_both_answers(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    responses = spec["paths"]["/healthz"]["get"]["responses"]
    for status in ("200", "503"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Health"}, status
    documented = spec["components"]["schemas"]["Health"]
    assert set(documented["required"]) == {"status", "version", "pool"}
    # The answer is what the document says it is.
    Health.model_validate(client.get("/healthz").json())


@pytest.fixture(scope="module")
def leaky(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # As deployed (python -m app serve), with one evaluation process: every
    # leaking request retires it, so at times none is ready.
    env = {"AUTOGRAD_VIZ_POOL_SIZE": "1", "AUTOGRAD_VIZ_WORKER_GROWTH_MB": "4"}
    live = start_server(tmp_path_factory.mktemp("leaky"), env, name="leaky", cli=True)
    yield live
    stop_server(live)


def test_healthz_stays_ready_while_clients_send_leaking_programs(leaky: LiveServer) -> None:
    # audit16 F3: each leaking request retires its process, and /healthz
    # counted only ready ones: 503 to a quarter of its probes, enough for a
    # Kubernetes readiness probe to take the pod out of its Service.
    stop = time.monotonic() + 6
    answers: collections.Counter[int] = collections.Counter()

    def leak(client: int) -> None:
        with leaky.client() as http:
            n = 0
            while time.monotonic() < stop:
                n += 1
                source = LEAK.format(n=client * 100_000 + n)
                answers[http.post("/api/v1/evaluate", json={"source": source}).status_code] += 1

    clients = [threading.Thread(target=leak, args=(k,)) for k in range(2)]
    for thread in clients:
        thread.start()
    probes: collections.Counter[int] = collections.Counter()
    none_ready = 0
    with leaky.client() as http:
        while time.monotonic() < stop:
            health = http.get("/healthz")
            probes[health.status_code] += 1
            none_ready += health.json()["pool"]["alive"] == 0
            time.sleep(0.05)
    for thread in clients:
        thread.join()
    with leaky.client() as http:
        pool = http.get("/healthz").json()["pool"]
    restarts = pool["restarts"]
    assert {"size", "alive", "starting", "busy", "waiting", "restarts"} <= set(pool)
    assert set(answers) == {200} and answers[200] > 4, answers
    assert restarts >= answers[200] - 1  # every leaking request retired its process
    assert none_ready > 0, probes  # the probes did meet a pool with none ready
    assert probes == {200: probes.total()}, probes
