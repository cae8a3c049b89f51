"""The HTTP protocol `serve` runs: httptools with a bound on the request head."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from app.http11 import BoundedHttpToolsProtocol

LIMIT = 8_192


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    received = 0
    while True:
        message = await receive()
        received += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    line = f"{scope['method']} {scope['path']}?{scope['query_string'].decode()} {received}"
    body = line.encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def serve(scenario: Callable[[int], Awaitable[Any]]) -> Any:
    """Run `scenario(port)` against our protocol on a real socket, in this thread's loop."""

    async def main() -> Any:
        config = Config(app=hello, h11_max_incomplete_event_size=LIMIT, log_level="warning")
        config.load()
        state = ServerState()
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: BoundedHttpToolsProtocol(
                config=config, server_state=state, app_state={}, _loop=loop
            ),
            "127.0.0.1",
            0,
        )
        port = server.sockets[0].getsockname()[1]
        try:
            return await scenario(port)
        finally:
            server.close()
            for connection in list(state.connections):
                connection.shutdown()
            await server.wait_closed()

    return asyncio.run(main())


async def exchange(port: int, chunks: list[bytes], pause: float = 0.0) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
            if pause:
                await asyncio.sleep(pause)
        answer = b""
        while True:
            try:
                data = await asyncio.wait_for(reader.read(65536), 2)
            except TimeoutError:
                break
            if not data:
                break
            answer += data
        return answer
    finally:
        writer.close()


def test_requests_within_the_bound_are_served_on_one_connection() -> None:
    request = b"GET /a?x=1 HTTP/1.1\r\nhost: t\r\nx-pad: " + b"p" * (LIMIT // 2) + b"\r\n\r\n"
    last = b"GET /b HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n"

    async def scenario(port: int) -> bytes:
        # Many requests, each under the bound, add up to far more than it.
        return await exchange(port, [request] * 6 + [last])

    answer = serve(scenario)
    assert answer.count(b"HTTP/1.1 200 OK") == 7
    assert answer.count(b"GET /a?x=1 0") == 6 and b"GET /b?" in answer


def test_a_head_past_the_bound_is_refused_with_a_400_and_closed() -> None:
    head = b"GET / HTTP/1.1\r\nhost: t\r\nx-flood: "

    async def scenario(port: int) -> tuple[bytes, int]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head)
        sent = len(head)
        answer = b""
        # A header that never ends, a kilobyte at a time, until the server answers.
        while not answer and sent < 1 << 20:
            writer.write(b"a" * 1024)
            sent += 1024
            try:
                await writer.drain()
                answer = await asyncio.wait_for(reader.read(4096), 0.01)
            except TimeoutError:
                continue
            except ConnectionError:
                break
        closed = await asyncio.wait_for(reader.read(4096), 2) == b""
        writer.close()
        return answer if closed else b"still open", sent

    answer, sent = serve(scenario)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:100]
    assert b"connection: close" in answer
    assert sent < LIMIT + 64 * 1024


def test_a_body_may_be_larger_than_the_bound() -> None:
    body = b"b" * (LIMIT * 4)
    request = (
        b"POST /upload HTTP/1.1\r\nhost: t\r\nconnection: close\r\n"
        + f"content-length: {len(body)}\r\n\r\n".encode()
    )

    async def scenario(port: int) -> bytes:
        return await exchange(port, [request, body[: LIMIT * 2], body[LIMIT * 2 :]], pause=0.01)

    answer = serve(scenario)
    assert answer.startswith(b"HTTP/1.1 200 OK") and f"POST /upload? {len(body)}".encode() in answer


def test_serve_runs_this_protocol() -> None:
    from app import cli

    assert 'http="app.http11:BoundedHttpToolsProtocol"' in inspect.getsource(cli._serve)
