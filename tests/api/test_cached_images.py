"""CachedImages: a repeated graph.* URL answered from the cache before routing,
with the route's own bytes and headers."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI

from app.api.graph import CachedImages, entity_tag
from app.cache import Answer
from app.job import Job
from app.service import Service
from app.settings import Settings

PATH = "/api/v1/graph.svg"
SAME_HEADERS = (
    "etag",
    "cache-control",
    "content-type",
    "content-length",
    "content-security-policy",
)


def test_a_repeated_url_gets_the_routes_bytes_and_headers(client: Any) -> None:
    params = {"source": "2*cos(x) + x  # cached-images", "x": "1.5"}
    first = client.get(PATH, params=params)
    again = client.get(PATH, params=params)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    for name in SAME_HEADERS:
        assert again.headers[name] == first.headers[name], name
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    revalidated = client.get(PATH, params=params, headers={"if-none-match": first.headers["etag"]})
    assert revalidated.status_code == 304 and revalidated.content == b""
    assert revalidated.headers["etag"] == first.headers["etag"]
    cors = client.get(PATH, params=params, headers={"origin": "https://course.example"})
    assert cors.headers["access-control-allow-origin"] == "*"


class Recorder:
    """The app behind the middleware: records what reached it."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b"routed"})


def call(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def scope_for(owner: FastAPI, query: bytes, method: str = "GET", **extra: Any) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": PATH,
        "query_string": query,
        "headers": extra.pop("headers", []),
        "app": owner,
        **extra,
    }


def test_only_remembered_and_cached_urls_are_answered_before_routing() -> None:
    owner = FastAPI()
    service = Service(Settings())  # its pool is never started: nothing here needs it
    owner.state.service = service
    inner = Recorder()
    middleware = CachedImages(inner)
    job = Job(source="x + 1", inputs={"x": 1})
    key = job.key()

    assert call(middleware, scope_for(owner, b"source=x%2B1&x=1"))[1]["body"] == b"routed"
    service.requests.put((PATH, b"source=x%2B1&x=1"), (job, key))
    # Remembered but not (or no longer) cached: routed as before.
    assert call(middleware, scope_for(owner, b"source=x%2B1&x=1"))[1]["body"] == b"routed"

    service.cache.put(f"image:{key}", Answer(b"<svg/>", "image/svg+xml"))
    start, body = call(middleware, scope_for(owner, b"source=x%2B1&x=1"))
    assert start["status"] == 200 and body["body"] == b"<svg/>"
    headers = dict(start["headers"])
    assert headers[b"etag"] == entity_tag(key, service.build).encode()
    assert headers[b"content-type"] == b"image/svg+xml"
    assert headers[b"cache-control"] == b"public, max-age=86400"
    etag = [(b"if-none-match", entity_tag(key, service.build).encode())]
    assert call(middleware, scope_for(owner, b"source=x%2B1&x=1", headers=etag))[0]["status"] == 304

    # Other methods, other paths and other queries go on to the router.
    call(middleware, scope_for(owner, b"source=x%2B1&x=1", method="HEAD"))
    call(middleware, scope_for(owner, b"source=x%2B1&x=2"))
    call(middleware, {**scope_for(owner, b"source=x%2B1&x=1"), "path": "/api/v1/evaluate"})
    assert inner.paths == [PATH, PATH, PATH, PATH, "/api/v1/evaluate"]
