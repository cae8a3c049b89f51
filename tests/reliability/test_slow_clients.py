"""Slow and greedy clients against `python -m app serve` (uvicorn as configured in
app/cli.py `_serve`): a body trickled a byte a second, connections left idle,
headers sent slowly, a header that never ends. Each must cost the others
nothing noticeable, and the bounded ones must be cut off when their bound says.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.conftest import LiveServer, start_server, stop_server
from tests.reliability.tree import tree
from tests.reliability.wire import Connection
from tests.workers.procs import rss_bytes

BODY_TIMEOUT_S = 3.0
KEEP_ALIVE_S = 2
ENV = {
    "AUTOGRAD_VIZ_POOL_SIZE": "1",
    "AUTOGRAD_VIZ_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S),
    "AUTOGRAD_VIZ_KEEP_ALIVE_S": str(KEEP_ALIVE_S),
}
EVALUATE = b"POST /api/v1/evaluate HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("slow"), ENV, name="slow", cli=True)
    yield live
    stop_server(live)


def address(server: LiveServer) -> tuple[str, int]:
    parts = urlsplit(server.url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


async def honest_requests(server: LiveServer, count: int) -> list[float]:
    """`count` evaluations one after another (new programs: each reaches the
    pool); the seconds each took, every answer checked."""
    connection = Connection(server.url, timeout=10)
    seconds = []
    try:
        for i in range(count):
            started = time.monotonic()
            body = json.dumps({"source": f"x * {i} + 1", "inputs": {"x": 2}}).encode()
            headers = {"content-type": "application/json"}
            response = await connection.request(
                "POST", "/api/v1/evaluate", headers=headers, body=body
            )
            assert response.status_code == 200, response.text
            assert response.json()["value"] == 2 * i + 1
            seconds.append(time.monotonic() - started)
            await asyncio.sleep(0.05)
    finally:
        await connection.close()
    return seconds


async def read_answer(reader: asyncio.StreamReader) -> bytes:
    """One whole answer: its head, then Content-Length bytes of body."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    return head + await reader.readexactly(length)


async def trickle(server: LiveServer, chunked: bool) -> tuple[float, bytes]:
    """Send a body one byte a second until the server answers: (seconds, answer)."""
    reader, writer = await asyncio.open_connection(*address(server))
    body = b'{"source": "' + b"x" * 200 + b'"}'
    framing = (
        b"transfer-encoding: chunked\r\n" if chunked else b"content-length: %d\r\n" % len(body)
    )
    writer.write(EVALUATE + framing + b"\r\n")
    await writer.drain()
    started = time.monotonic()
    answer = asyncio.ensure_future(read_answer(reader))
    for byte in body:
        if answer.done():
            break
        piece = bytes([byte])
        writer.write(b"1\r\n" + piece + b"\r\n" if chunked else piece)
        try:
            await writer.drain()
        except ConnectionError:
            break
        await asyncio.wait([answer], timeout=1.0)
    data = await asyncio.wait_for(answer, timeout=10)
    elapsed = time.monotonic() - started
    writer.close()
    return elapsed, data


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_sent_a_byte_a_second_delays_no_one_and_is_cut_off(
    server: LiveServer, chunked: bool
) -> None:
    async def scenario() -> tuple[list[tuple[float, bytes]], list[float]]:
        slow = [asyncio.ensure_future(trickle(server, chunked)) for _ in range(20)]
        await asyncio.sleep(0.5)
        quick = await honest_requests(server, 20)
        return list(await asyncio.gather(*slow)), quick

    slow, quick = asyncio.run(scenario())
    assert max(quick) < 1.0, quick
    for elapsed, answer in slow:
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408 "), answer[:300]
        assert b"content-type: application/problem+json" in head.lower()
        assert json.loads(body)["code"] == "invalid_request"
        assert BODY_TIMEOUT_S - 0.5 <= elapsed < BODY_TIMEOUT_S + 2, elapsed


def test_idle_and_slow_header_connections_starve_no_one(server: LiveServer) -> None:
    """300 connections that say nothing, 100 that send a header line a
    second (slowloris), and 100 kept alive after one request: others are
    still answered at once, and the kept-alive ones are closed after the
    keep-alive time-out. (uvicorn has no deadline for the first byte or the
    headers: SECURITY.md says why a reverse proxy must supply it.)"""
    host, port = address(server)

    async def scenario() -> tuple[list[float], list[float]]:
        idle = [await asyncio.open_connection(host, port) for _ in range(300)]
        slowloris = [await asyncio.open_connection(host, port) for _ in range(100)]
        for _, writer in slowloris:
            writer.write(b"GET /healthz HTTP/1.1\r\nhost: test\r\n")

        async def drip() -> None:
            for i in range(6):
                for _, writer in slowloris:
                    writer.write(b"x-drip-%d: 1\r\n" % i)
                await asyncio.sleep(1)

        dripping = asyncio.ensure_future(drip())
        kept = []
        for _ in range(100):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(b"GET /healthz HTTP/1.1\r\nhost: test\r\n\r\n")
            assert (await read_answer(reader)).startswith(b"HTTP/1.1 200 ")
            kept.append((reader, writer, time.monotonic()))
        quick = await honest_requests(server, 20)
        closed_after = []
        for reader, _, since in kept:
            rest = await asyncio.wait_for(reader.read(), timeout=KEEP_ALIVE_S + 5)
            assert rest == b""  # end of stream: the server closed it
            closed_after.append(time.monotonic() - since)
        await dripping
        for _, writer in [*idle, *slowloris, *((r, w) for r, w, _ in kept)]:
            writer.close()
        return quick, closed_after

    quick, closed_after = asyncio.run(scenario())
    assert max(quick) < 1.0, quick
    assert max(closed_after) < KEEP_ALIVE_S + 3, closed_after


def test_a_header_that_never_ends_is_refused_without_growing_the_server(
    server: LiveServer,
) -> None:
    host, port = address(server)
    process = tree(server.process.pid).supervisor  # workers=1: the supervisor serves
    before = rss_bytes(process)

    with socket.create_connection((host, port), timeout=0.05) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nhost: test\r\nx-flood: ")
        sent, answer = 0, b""
        while not answer and sent < 64 << 20:  # up to 64 MiB, until the server answers
            try:
                sock.sendall(b"a" * 16_384)
                sent += 16_384
                answer = sock.recv(4096)
            except TimeoutError:
                continue
            except ConnectionError:
                break
    assert sent < 1 << 20, sent  # refused after the first 64 KiB, not after 64 MiB
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert rss_bytes(process) - before < 16 << 20

    # A long query below the limit reaches the app: our 414 problem.
    with server.client() as http:
        query = http.get("/api/v1/graph.svg", params={"source": "x", "x": "1" * 20_000})
        assert query.status_code == 414
        assert query.headers["content-type"] == "application/problem+json"
        assert http.get("/healthz").status_code == 200
