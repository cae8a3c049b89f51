"""HttpMetrics: every request counted with the instrumentator's names and labels."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from app.metrics import HttpMetrics


def sample(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def build() -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item}")
    async def item(item: str) -> dict[str, str]:
        return {"item": item}

    @app.post("/echo")
    async def echo(body: dict[str, str]) -> dict[str, str]:
        return body

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    @app.get("/metrics")
    async def exposition() -> str:
        return "metrics"

    app.add_middleware(HttpMetrics)
    return app


def test_requests_are_counted_by_route_template_status_and_method() -> None:
    labels = {"method": "GET", "status": "200", "handler": "/items/{item}"}
    before = sample("http_requests_total", labels)
    latency_before = sample(
        "http_request_duration_seconds_count", {"method": "GET", "handler": "/items/{item}"}
    )
    with TestClient(build()) as http:
        for name in ("a", "b", "c"):
            assert http.get(f"/items/{name}").status_code == 200
    assert sample("http_requests_total", labels) == before + 3
    assert (
        sample("http_request_duration_seconds_count", {"method": "GET", "handler": "/items/{item}"})
        == latency_before + 3
    )


def test_sizes_unknown_paths_errors_and_exclusions() -> None:
    sizes = {"handler": "/echo"}
    request_bytes = sample("http_request_size_bytes_sum", sizes)
    response_bytes = sample("http_response_size_bytes_sum", sizes)
    unknown = {"method": "GET", "status": "404", "handler": "none"}
    failed = {"method": "GET", "status": "500", "handler": "/boom"}
    counts = sample("http_requests_total", unknown), sample("http_requests_total", failed)
    highr = sample("http_request_duration_highr_seconds_count", {})
    with TestClient(build(), raise_server_exceptions=False) as http:
        answer = http.post("/echo", json={"a": "bc"})
        assert http.get("/nowhere/1").status_code == 404
        assert http.get("/nowhere/2").status_code == 404
        assert http.get("/boom").status_code == 500
        assert http.get("/metrics").status_code == 200
    sent = int(answer.request.headers["content-length"])
    assert sample("http_request_size_bytes_sum", sizes) == request_bytes + sent
    assert sample("http_response_size_bytes_sum", sizes) == response_bytes + len(answer.content)
    assert sample("http_requests_total", unknown) == counts[0] + 2
    assert sample("http_requests_total", failed) == counts[1] + 1
    # /metrics itself is not counted: 5 requests, 4 observed.
    assert sample("http_request_duration_highr_seconds_count", {}) == highr + 4
    assert (
        sample("http_requests_total", {"method": "GET", "status": "200", "handler": "/metrics"})
        == 0
    )


def test_pool_metrics_write_what_changed() -> None:
    from app.metrics import PoolMetrics
    from app.workers import PoolStats

    def stats(restarts: int, busy: int) -> PoolStats:
        return PoolStats(
            size=2,
            alive=2,
            idle=2 - busy,
            busy=busy,
            starting=0,
            waiting=0,
            restarts=restarts,
            timeouts=0,
            crashes=0,
            served=0,
        )

    restarts = sample("autograd_viz_pool_restarts_total", {})
    recorder = PoolMetrics()
    recorder.record(stats(restarts=2, busy=1))
    assert sample("autograd_viz_pool_restarts_total", {}) == restarts + 2
    assert sample("autograd_viz_pool_busy", {}) == 1
    recorder.record(stats(restarts=2, busy=1))  # nothing moved: nothing counted again
    assert sample("autograd_viz_pool_restarts_total", {}) == restarts + 2
    recorder.record(stats(restarts=3, busy=0))
    assert sample("autograd_viz_pool_restarts_total", {}) == restarts + 3
    assert sample("autograd_viz_pool_busy", {}) == 0
