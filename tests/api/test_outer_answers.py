"""The answers the outer middleware make themselves (413, 414, 408, 429, the
last-resort 500) go out through CORS and the metrics like any other: a
cross-origin caller can read them (a 429's Retry-After above all) and
/metrics counts them. The app is app.main's own, middleware order included;
none of these answers needs the worker pool, so its lifespan is not run."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.main import create_app
from app.settings import Settings
from tests.conftest import answer_to_a_trickled_body

ORIGIN = {"origin": "https://course.example.edu"}


def build(**settings: Any) -> FastAPI:
    app = create_app(Settings(max_body_bytes=2048, max_query_chars=300, **settings))

    async def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/api/v1/boom", boom)  # a fault: the last-resort 500
    return app


def counted(http: TestClient, method: str, status: int, handler: str) -> float:
    """http_requests_total for these labels, as /metrics serves it."""
    text = http.get("/metrics").text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "http_requests_total" and sample.labels == {
                "method": method,
                "status": str(status),
                "handler": handler,
            }:
                return float(sample.value)
    return 0.0


def readable_cross_origin(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = response.headers["access-control-expose-headers"].lower()
    assert "retry-after" in exposed and "x-request-id" in exposed
    # And still the request id and the security headers, from the outermost layer.
    assert response.json()["request_id"] == response.headers["x-request-id"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_refusals_and_faults_carry_cors_headers_and_are_counted() -> None:
    http = TestClient(build(), raise_server_exceptions=False)
    cases = [
        (
            lambda: http.post("/api/v1/evaluate", json={"source": "x" * 4000}, headers=ORIGIN),
            ("POST", 413, "/api/v1/evaluate", "limit_exceeded"),
        ),
        (
            lambda: http.get("/api/v1/graph.svg", params={"source": "x" * 400}, headers=ORIGIN),
            ("GET", 414, "/api/v1/graph.{fmt}", "limit_exceeded"),
        ),
        (
            lambda: http.get("/api/v1/boom", headers=ORIGIN),
            ("GET", 500, "/api/v1/boom", "internal_error"),
        ),
    ]
    for request, (method, status, handler, code) in cases:
        before = counted(http, method, status, handler)
        response = request()
        readable_cross_origin(response, status, code)
        assert counted(http, method, status, handler) == before + 1, (status, handler)
    assert "secret" not in http.get("/api/v1/boom").text


def test_rate_limited_answers_carry_cors_headers_and_are_counted() -> None:
    http = TestClient(build(rate_limit_per_minute=3), raise_server_exceptions=False)
    labels = ("GET", 429, "/api/v1/examples")
    before = counted(http, *labels)  # /metrics is never rate-limited
    statuses = [http.get("/api/v1/examples", headers=ORIGIN).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    limited = http.get("/api/v1/examples", headers=ORIGIN)
    readable_cross_origin(limited, 429, "rate_limited")
    assert int(limited.headers["retry-after"]) >= 1
    assert counted(http, *labels) == before + 1
    # A preflight is answered by CORS, before the limit: a 429 to a preflight
    # reads as a CORS failure, and the request it precedes is limited anyway.
    preflight = http.options(
        "/api/v1/evaluate",
        headers={
            **ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["x-content-type-options"] == "nosniff"


def test_a_body_past_its_deadline_is_408_with_cors_headers() -> None:
    app = build(body_timeout_s=0.2)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/evaluate",
        "raw_path": b"/api/v1/evaluate",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"origin", ORIGIN["origin"].encode())],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    sent = answer_to_a_trickled_body(app, scope)
    assert sent[0]["status"] == 408
    headers = dict(sent[0]["headers"])
    assert headers[b"access-control-allow-origin"] == b"*"
    assert json.loads(sent[1]["body"])["code"] == "invalid_request"
