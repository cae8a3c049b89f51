"""Each test builds the tiny app it needs around the real middleware."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from app.middleware import IMAGE_CSP, Head, RateLimit, RequestContext, RequestLimits
from app.settings import Settings
from tests.conftest import answer_to_a_trickled_body


async def echo(request: Request) -> Response:
    body = await request.body()
    return PlainTextResponse(f"{len(body)}")


async def boom(request: Request) -> Response:
    raise RuntimeError("secret internals")


def tiny_app(**settings: Any) -> Starlette:
    app = Starlette(
        routes=[
            Route("/api/v1/echo", echo, methods=["GET", "POST"]),
            Route("/api/v1/graph.svg", echo),
            Route("/embed", echo),
            Route("/", echo),
            Route("/boom", boom),
        ]
    )
    app.add_middleware(RequestLimits, settings=Settings(**settings))
    app.add_middleware(RequestContext)
    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(tiny_app(max_body_bytes=2048, max_query_chars=300)) as test_client:
        yield test_client


def test_security_headers_depend_on_the_path(client: TestClient) -> None:
    page = client.get("/")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    directives = dict(
        d.strip().split(" ", 1) for d in page.headers["content-security-policy"].split(";")
    )
    assert directives["script-src"] == "'self'"
    assert "frame-ancestors *" in client.get("/embed").headers["content-security-policy"]
    assert client.get("/api/v1/graph.svg").headers["content-security-policy"] == IMAGE_CSP
    for response in (page, client.get("/api/v1/echo")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_request_ids(client: TestClient) -> None:
    assert client.get("/", headers={"x-request-id": "abc-123"}).headers["x-request-id"] == "abc-123"
    generated = client.get("/", headers={"x-request-id": "bad id\n"}).headers["x-request-id"]
    assert generated != "bad id\n" and len(generated) == 16


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    document: dict[str, Any] = response.json()
    assert document["status"] == status and document["code"] == code
    assert document["type"] == f"/problems/{code}" and document["title"] and document["detail"]
    return document


def test_long_query_string_is_414(client: TestClient) -> None:
    problem(client.get("/api/v1/echo", params={"source": "x" * 400}), 414, "limit_exceeded")


def test_post_bodies_are_read(client: TestClient) -> None:
    ok = client.post("/api/v1/echo", content=b"{}", headers={"content-type": "application/json"})
    assert ok.status_code == 200 and ok.text == "2"


def test_body_limit_by_declared_length(client: TestClient) -> None:
    response = client.post("/api/v1/echo", json={"source": "x" * 4000})
    assert "2,048 bytes" in problem(response, 413, "limit_exceeded")["detail"]


def test_body_limit_counts_the_bytes_received(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        for _ in range(10):
            yield b"x" * 500

    response = client.post(
        "/api/v1/echo", content=chunks(), headers={"content-type": "application/json"}
    )
    problem(response, 413, "limit_exceeded")


def test_unexpected_errors_are_a_problem_without_internals(client: TestClient) -> None:
    response = client.get("/boom")
    document = problem(response, 500, "internal_error")
    assert "secret" not in response.text
    assert document["request_id"] == response.headers["x-request-id"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_body_that_trickles_is_cut_off() -> None:
    app = RequestLimits(echo_app, Settings(body_timeout_s=0.2))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/echo",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
    }
    sent = answer_to_a_trickled_body(app, scope)
    assert sent[0]["status"] == 408
    assert json.loads(sent[1]["body"])["code"] == "invalid_request"


def refused_body(
    headers: list[tuple[bytes, bytes]], chunks: int, chunk: int = 1 << 16, **settings: Any
) -> tuple[list[dict[str, Any]], int]:
    """What RequestLimits sends for a body of `chunks` pieces over the limit,
    and how many pieces it read."""
    import asyncio

    app = RequestLimits(echo_app, Settings(max_body_bytes=1024, **settings))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/echo",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), *headers],
    }
    read = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": b"x" * chunk, "more_body": read < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent, read


def test_a_refused_body_is_read_before_its_413_so_the_client_reads_it() -> None:
    # A client that sends everything before it reads (urllib, Connection:
    # close) met a reset instead of the 413: the rest of the body is drained.
    declared = [(b"content-length", str(20 << 16).encode())]
    for headers in (declared, [(b"transfer-encoding", b"chunked")]):
        sent, read = refused_body(headers, chunks=20)
        assert read == 20 and sent[0]["status"] == 413


def test_draining_is_bounded_in_bytes_and_time() -> None:
    from app.middleware import DRAIN_BYTES

    chunk = 1 << 20
    sent, read = refused_body([], chunks=10**6, chunk=chunk)  # a body without end
    assert sent[0]["status"] == 413 and read * chunk <= DRAIN_BYTES + 2 * chunk
    # Declared past what is drained: answered at once, nothing read.
    huge = [(b"content-length", str(DRAIN_BYTES + 1).encode())]
    sent, read = refused_body(huge, chunks=10**6, chunk=chunk)
    assert (sent[0]["status"], read) == (413, 0)
    # A client that waits to be told (Expect: 100-continue) sends nothing more.
    expect = [(b"content-length", b"5000"), (b"expect", b"100-continue")]
    sent, read = refused_body(expect, chunks=10)
    assert (sent[0]["status"], read) == (413, 0)


def test_a_body_that_trickles_after_its_413_is_drained_until_the_deadline() -> None:
    import time

    app = RequestLimits(echo_app, Settings(max_body_bytes=1024, body_timeout_s=0.3))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/echo",
        "query_string": b"",
        "headers": [(b"content-length", b"4096")],
    }
    started = time.monotonic()
    sent = answer_to_a_trickled_body(app, scope)
    assert sent[0]["status"] == 413 and time.monotonic() - started < 2.0


async def echo_app(scope: Any, receive: Any, send: Any) -> None:
    await Request(scope, receive).body()
    await PlainTextResponse("read")(scope, receive, send)


def test_rate_limit_answers_429_with_retry_after() -> None:
    now = [0.0]
    app = Starlette(routes=[Route("/", echo), Route("/healthz", echo)])
    app.add_middleware(RateLimit, per_minute=3, clock=lambda: now[0])
    with TestClient(app) as client:
        assert [client.get("/").status_code for _ in range(3)] == [200, 200, 200]
        limited = client.get("/")
        problem(limited, 429, "rate_limited")
        assert int(limited.headers["retry-after"]) >= 1
        assert client.get("/healthz").status_code == 200  # never limited
        now[0] += 20.0  # a token comes back every 20 s
        assert client.get("/").status_code == 200
        assert client.get("/").status_code == 429


def test_head_on_an_image_is_get_without_the_body() -> None:
    seen: list[str] = []

    async def image(request: Request) -> Response:
        seen.append(request.method)

        async def chunks() -> Any:
            yield b"<svg>"
            yield b"</svg>"

        return StreamingResponse(chunks(), media_type="image/svg+xml", headers={"etag": '"k"'})

    app = Starlette(routes=[Route("/api/v1/graph.svg", image, methods=["GET"])])
    app.add_middleware(Head)
    with TestClient(app) as client:
        get = client.get("/api/v1/graph.svg")
        head = client.head("/api/v1/graph.svg")
        other = client.head("/api/v1/graph.gif")  # no such URL: GET's own answer
    assert get.content == b"<svg></svg>" and head.content == b""
    assert head.status_code == 200 and head.headers["etag"] == '"k"'
    assert head.headers["content-type"] == "image/svg+xml"
    assert seen == ["GET", "GET"]
    assert other.status_code == 404
