"""Slow and greedy clients against `python -m app serve` (uvicorn as configured in
app/cli.py `_serve`): a body trickled a byte a second, connections left idle,
headers sent slowly, a header that never ends. Each must cost the others
nothing noticeable, and the bounded ones must be cut off when their bound says.

The time bounds are set apart so that each test can tell which one acted:
keep-alive (1 s) < request head (2 s, app.http11) < request body (3 s,
app.middleware) < one evaluation's wall time (4 s).
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

KEEP_ALIVE_S = 1
HEADER_TIMEOUT_S = 2.0
BODY_TIMEOUT_S = 3.0
WALL_TIME_S = 4.0
SLACK_S = 1.5  # past a deadline, the most a close may lag on a busy two-core machine
ENV = {
    "AUTOGRAD_VIZ_POOL_SIZE": "1",
    "AUTOGRAD_VIZ_KEEP_ALIVE_S": str(KEEP_ALIVE_S),
    "AUTOGRAD_VIZ_HEADER_TIMEOUT_S": str(HEADER_TIMEOUT_S),
    "AUTOGRAD_VIZ_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S),
    "AUTOGRAD_VIZ_WALL_TIME_S": str(WALL_TIME_S),
    "AUTOGRAD_VIZ_STEPS": str(10**15),  # so only the wall time stops SPIN
}
EVALUATE = b"POST /api/v1/evaluate HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\n"
HEALTHZ = b"GET /healthz HTTP/1.1\r\nhost: test\r\n\r\n"
SPIN = "x = 0\nfor i in range(10**12):\n    x = x + 1"


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


async def until_closed(reader: asyncio.StreamReader) -> bytes:
    """What the server still sends, up to its close (a reset is a close too)."""
    try:
        return await asyncio.wait_for(reader.read(), timeout=HEADER_TIMEOUT_S + 10)
    except ConnectionResetError:
        return b""


async def drip_head(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, every: float = 0.4
) -> tuple[float, bytes]:
    """Send a request line, then a header line every `every` s, never ending
    the head, until the server answers: (when the answer came, by
    time.monotonic, and everything the server sent before it closed)."""
    writer.write(b"GET /healthz HTTP/1.1\r\nhost: test\r\n")
    first = asyncio.ensure_future(reader.read(65_536))
    for line in range(100):
        await asyncio.wait([first], timeout=every)
        if first.done():
            break
        writer.write(b"x-drip-%d: 1\r\n" % line)
    else:
        first.cancel()
        raise AssertionError("no answer to a head dripped for 40 s")
    answered_at = time.monotonic()
    answer = first.result() + await until_closed(reader)
    writer.close()
    return answered_at, answer


def assert_head_timed_out(answer: bytes) -> None:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), answer[:300]
    assert b"\r\nconnection: close" in head.lower()
    assert b"\r\ncontent-type: text/plain" in head.lower()
    assert body == b"The request head did not arrive within %g s." % HEADER_TIMEOUT_S


async def answered(
    server: LiveServer, request: bytes = HEALTHZ
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, float]:
    """A kept-alive connection that has had one answer: (reader, writer, when
    the answer ended)."""
    reader, writer = await asyncio.open_connection(*address(server))
    writer.write(request)
    assert (await read_answer(reader)).startswith(b"HTTP/1.1 200 ")
    return reader, writer, time.monotonic()


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
    """Cut off by the body's deadline (the app's 408 problem), not the head's:
    the head was complete, so the head deadline, shorter, never applies."""
    assert HEADER_TIMEOUT_S + 0.5 < BODY_TIMEOUT_S

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


def test_idle_and_slow_header_connections_starve_no_one_and_are_cut_off(
    server: LiveServer,
) -> None:
    """300 connections that say nothing, 100 that send a header line every half
    second (slowloris) and 100 kept alive after one request: others are still
    answered at once; the silent ones are closed at the head deadline, the
    dripping ones get a 408 then, and the kept-alive ones are closed after the
    keep-alive time-out, as before."""
    host, port = address(server)

    # Times from before connecting: the server's clock starts after that.
    async def silent() -> tuple[float, bytes]:
        started = time.monotonic()
        reader, writer = await asyncio.open_connection(host, port)
        rest = await until_closed(reader)
        writer.close()
        return time.monotonic() - started, rest

    async def dripping() -> tuple[float, bytes]:
        started = time.monotonic()
        reader, writer = await asyncio.open_connection(host, port)
        answered_at, answer = await drip_head(reader, writer, every=0.5)
        return answered_at - started, answer

    async def kept() -> tuple[float, bytes]:
        reader, writer, since = await answered(server)
        rest = await until_closed(reader)
        writer.close()
        return time.monotonic() - since, rest

    async def scenario() -> tuple[list[float], list[list[tuple[float, bytes]]]]:
        groups = [
            [asyncio.ensure_future(silent()) for _ in range(300)],
            [asyncio.ensure_future(dripping()) for _ in range(100)],
            [asyncio.ensure_future(kept()) for _ in range(100)],
        ]
        await asyncio.sleep(0.5)
        quick = await honest_requests(server, 20)
        return quick, [list(await asyncio.gather(*group)) for group in groups]

    quick, (silent_ends, dripping_ends, kept_ends) = asyncio.run(scenario())
    assert max(quick) < 1.0, quick
    for elapsed, rest in silent_ends:
        assert rest == b""  # closed without a word: nothing was asked
        assert HEADER_TIMEOUT_S - 0.1 <= elapsed < HEADER_TIMEOUT_S + SLACK_S, elapsed
    for elapsed, answer in dripping_ends:
        assert_head_timed_out(answer)
        assert HEADER_TIMEOUT_S - 0.1 <= elapsed < HEADER_TIMEOUT_S + SLACK_S, elapsed
    for elapsed, rest in kept_ends:
        assert rest == b""
        assert elapsed < KEEP_ALIVE_S + SLACK_S, elapsed  # (when exactly: the test below)


def test_a_silent_connection_is_closed_at_the_head_deadline(server: LiveServer) -> None:
    async def scenario() -> tuple[float, bytes]:
        started = time.monotonic()
        reader, writer = await asyncio.open_connection(*address(server))
        rest = await until_closed(reader)
        writer.close()
        return time.monotonic() - started, rest

    elapsed, rest = asyncio.run(scenario())
    assert rest == b""
    assert HEADER_TIMEOUT_S - 0.1 <= elapsed < HEADER_TIMEOUT_S + 0.5, elapsed


def test_a_head_sent_a_line_at_a_time_gets_a_408_at_the_deadline(server: LiveServer) -> None:
    async def scenario() -> tuple[float, bytes]:
        started = time.monotonic()
        reader, writer = await asyncio.open_connection(*address(server))
        answered_at, answer = await drip_head(reader, writer)
        return answered_at - started, answer

    elapsed, answer = asyncio.run(scenario())
    assert_head_timed_out(answer)
    assert HEADER_TIMEOUT_S - 0.1 <= elapsed < HEADER_TIMEOUT_S + 0.5, elapsed


def test_a_head_that_arrives_in_time_is_served_however_slowly(server: LiveServer) -> None:
    """A head sent in pieces, its last piece just before the deadline, is
    answered, and so is the next request on the same connection."""

    async def scenario() -> list[bytes]:
        reader, writer = await asyncio.open_connection(*address(server))
        writer.write(HEALTHZ[:10])
        await asyncio.sleep(HEADER_TIMEOUT_S / 2)
        writer.write(HEALTHZ[10:20])
        await asyncio.sleep(HEADER_TIMEOUT_S / 2 - 0.3)
        writer.write(HEALTHZ[20:])
        answers = [await asyncio.wait_for(read_answer(reader), 5)]
        writer.write(HEALTHZ)
        answers.append(await asyncio.wait_for(read_answer(reader), 5))
        writer.close()
        return answers

    for answer in asyncio.run(scenario()):
        assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]
        assert b"\r\nconnection: close" not in answer.lower()


def test_a_kept_alive_connection_left_idle_is_closed_by_keep_alive_as_before(
    server: LiveServer,
) -> None:
    async def scenario() -> tuple[float, bytes]:
        reader, writer, since = await answered(server)
        rest = await until_closed(reader)
        writer.close()
        return time.monotonic() - since, rest

    elapsed, rest = asyncio.run(scenario())
    assert rest == b""
    # The keep-alive time-out, before the head deadline would have closed it.
    assert KEEP_ALIVE_S - 0.1 <= elapsed < HEADER_TIMEOUT_S - 0.3, elapsed


def test_on_a_kept_alive_connection_the_head_deadline_runs_from_the_previous_answer(
    server: LiveServer,
) -> None:
    """The next head begun half a second after an answer (within keep-alive),
    then dripped: a 408 at the deadline counted from the answer's end, not
    from the first byte of the new head."""

    async def scenario() -> tuple[float, bytes]:
        reader, writer, since = await answered(server)
        await asyncio.sleep(0.5)
        answered_at, answer = await drip_head(reader, writer, every=0.3)
        return answered_at - since, answer

    elapsed, answer = asyncio.run(scenario())
    assert_head_timed_out(answer)
    assert HEADER_TIMEOUT_S - 0.1 <= elapsed < HEADER_TIMEOUT_S + 0.45, elapsed


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

    # A long query below the head limit (64 KiB) and past the query limit (60,000): our 414.
    with server.client() as http:
        query = http.get("/api/v1/graph.svg", params={"source": "x", "x": "1" * 61_000})
        assert query.status_code == 414
        assert query.headers["content-type"] == "application/problem+json"
        assert http.get("/healthz").status_code == 200


def test_an_answer_that_takes_longer_than_the_head_deadline_is_not_cut_off(
    server: LiveServer,
) -> None:
    """A program that runs until its wall time, longer than the head deadline:
    its answer (422) arrives, and the connection then serves another request."""
    assert HEADER_TIMEOUT_S + 1 < WALL_TIME_S

    async def scenario() -> tuple[float, bytes, bytes]:
        reader, writer = await asyncio.open_connection(*address(server))
        body = json.dumps({"source": SPIN}).encode()
        started = time.monotonic()
        writer.write(EVALUATE + b"content-length: %d\r\n\r\n" % len(body) + body)
        spun = await asyncio.wait_for(read_answer(reader), WALL_TIME_S + 10)
        elapsed = time.monotonic() - started
        writer.write(HEALTHZ)
        after = await asyncio.wait_for(read_answer(reader), 10)
        writer.close()
        return elapsed, spun, after

    elapsed, spun, after = asyncio.run(scenario())
    head, _, body = spun.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 422 "), spun[:300]
    assert json.loads(body)["limit"] == "wall_time"
    assert elapsed >= WALL_TIME_S - 0.1, elapsed
    # Answered on the same connection (200 while the pool refills; 503 only if it could not).
    assert after.split(b" ", 2)[1] in (b"200", b"503"), after[:300]
    assert b"\r\nconnection: close" not in after.lower()
    # The evaluation process was killed: let the pool refill before anything else runs.
    with server.client() as http:
        deadline = time.monotonic() + 30
        while (pool := http.get("/healthz").json()["pool"])["alive"] < pool["size"]:
            assert time.monotonic() < deadline, pool
            time.sleep(0.1)
