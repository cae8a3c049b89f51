"""DirectEvaluate: a valid POST /api/v1/evaluate runs before routing; anything
else reaches the route with its body intact, so every refusal is the route's."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import FastAPI

from app.api.evaluate import DirectEvaluate
from app.api.problems import install
from app.service import Service
from app.settings import Settings

PATH = "/api/v1/evaluate"


class Route:
    """Stands where the router is: records what reached it, with its body."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.seen.append((scope["path"], body))
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b"routed"})


async def post(
    app: Any, owner: FastAPI, body: bytes, media: bytes = b"application/json", path: str = PATH
) -> list[dict[str, Any]]:
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "headers": [(b"content-type", media)],
        "app": owner,
        "state": {},
    }
    # The body in two pieces, as a client may send it.
    pieces = [body[: len(body) // 2], body[len(body) // 2 :]]

    async def receive() -> dict[str, Any]:
        if pieces:
            piece = pieces.pop(0)
            return {"type": "http.request", "body": piece, "more_body": bool(pieces)}
        return {"type": "http.disconnect"}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def test_valid_requests_run_here_and_the_rest_reach_the_route_intact() -> None:
    owner = FastAPI()
    install(owner)
    owner.state.service = service = Service(Settings(pool_size=1))
    route = Route()
    direct = DirectEvaluate(route)
    valid = json.dumps({"source": "3*sin(x) + x + 3", "inputs": {"x": 5}}).encode()
    refused = [
        b'{"source": ',  # not JSON
        b'{"source": "x", "extra": 1}',  # not an EvaluateRequest
        b'{"source": "x", "inputs": {"x": NaN}}',  # an EvaluateRequest, not a Job
        b"[" * 1100 + b"]" * 1100,  # nested deeper than json.loads goes
        b'{"source": "1", "inputs": {"x": ' + b"[" * 1000 + b"]" * 1000 + b"}}",
    ]

    async def scenario() -> None:
        await service.start()
        try:
            start, body = await post(direct, owner, valid)
            assert start["status"] == 200
            answer = json.loads(body["body"])
            assert abs(answer["value"] - 5.12323) < 1e-5 and answer["svg"].startswith("<svg")
            # The program's own error: the app's problem document, from its handler.
            start, body = await post(direct, owner, b'{"source": "x +"}')
            problem = json.loads(body["body"])
            assert start["status"] == 400 and problem["code"] == "syntax_error"
            assert (
                problem["line"] == 1
                and (b"content-type", b"application/problem+json") in (start["headers"])
            )
            for payload in refused:
                assert (await post(direct, owner, payload))[1]["body"] == b"routed"
            await post(direct, owner, valid, media=b"text/plain")
            await post(direct, owner, valid, path="/api/v1/optimize")
        finally:
            await service.close()

    asyncio.run(scenario())
    assert route.seen == [(PATH, body) for body in refused] + [
        (PATH, valid),
        ("/api/v1/optimize", valid),
    ]
