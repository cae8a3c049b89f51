"""/metrics with several server processes: every process counted, whichever answers."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LiveServer, start_server, stop_server


@pytest.fixture(scope="module")
def metrics_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prometheus")


@pytest.fixture(scope="module")
def two_workers(
    tmp_path_factory: pytest.TempPathFactory, metrics_dir: Path
) -> Iterator[LiveServer]:
    env = {"AUTOGRAD_VIZ_POOL_SIZE": "1", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    server = start_server(tmp_path_factory.mktemp("metrics"), env, 2, "metrics", cli=True)
    yield server
    stop_server(server)


def test_serve_sets_up_multiprocess_metrics_itself(tmp_path: Path) -> None:
    server = start_server(tmp_path, {"AUTOGRAD_VIZ_POOL_SIZE": "1"}, 2, "metrics-dir", cli=True)
    try:
        with server.client() as http:
            assert http.get("/api/v1/examples").status_code == 200
            text = http.get("/metrics").text
        assert counted(text, "/api/v1/examples", "200") == 1
    finally:
        stop_server(server)


def counted(text: str, handler: str, status: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith("http_requests_total{") and f'handler="{handler}"' in line:
            if f'status="{status}"' in line:
                total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_sum_every_process(two_workers: LiveServer, metrics_dir: Path) -> None:
    pids = set()
    with two_workers.client() as http:
        for _ in range(40):
            # A new connection each time, so both processes get some requests.
            with two_workers.client() as fresh:
                response = fresh.get("/api/v1/examples")
                assert response.status_code == 200
        for i in range(3):
            assert http.post("/api/v1/evaluate", json={"source": f"{i} + 1"}).status_code == 200
        text = http.get("/metrics").text
        pids = set(re.findall(r'pid="(\d+)"', text))
    assert counted(text, "/api/v1/examples", "200") == 40
    assert counted(text, "/api/v1/evaluate", "200") == 3
    assert "autograd_viz_cache_misses_total" in text
    assert "autograd_viz_pool_alive" in text
    assert len(pids) <= 2  # livesum gauges are summed, not listed per process
    # Both processes served requests (each writes its own counter file) and
    # /metrics summed them.
    writers = {path.stem.rsplit("_", 1)[1] for path in metrics_dir.glob("counter_*.db")}
    assert len(writers) == 2, writers


def test_a_request_left_unanswered_is_not_counted_as_a_500(live_server: LiveServer) -> None:
    # Found by probing: a body that breaks off, or a malformed chunk that the
    # HTTP server itself answers 400, counted a 500 nobody was sent.
    host, port = live_server.url.removeprefix("http://").split(":")
    broken = [
        b"POST /api/v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        b"POST /api/v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n" + b'{"source":',
    ]
    with live_server.client() as http:
        before = counted(http.get("/metrics").text, "/api/v1/evaluate", "500")
    for request in broken:
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(request)
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(65536):
                pass
    time.sleep(0.3)
    with live_server.client() as http:
        text = http.get("/metrics").text
        assert http.post("/api/v1/evaluate", json={"source": "1 + 1"}).status_code == 200
    assert counted(text, "/api/v1/evaluate", "500") == before
