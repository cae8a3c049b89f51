"""A minimal HTTP/1.1 keep-alive client over asyncio streams, for load.

Why not httpx.AsyncClient: on this 2-core machine the clients share the
cores with the server they measure, and httpx spends about 2 ms of CPU per
request (URL and header models, the connection pool's locks), more than the
server spends answering a cached image. This client spends a fraction of
that, so the load test measures the server, not its client. Answers come
back as httpx.Response objects, so the checks are the same either way.

It speaks just enough HTTP/1.1 for our server: Content-Length or chunked
bodies both ways, 304 without a body, `Connection: close` honoured.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from urllib.parse import quote, urlencode, urlsplit

import httpx

_NO_BODY = {204, 304}


class WireError(Exception):
    """No (complete) answer: refused, reset, closed mid-answer or timed out."""


class Connection:
    def __init__(self, url: str, timeout: float = 60.0) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        chunked: bool = False,
    ) -> httpx.Response:
        target = f"{path}?{urlencode(params, quote_via=quote)}" if params else path
        try:
            return await asyncio.wait_for(
                self._exchange(method, target, headers or {}, body, chunked), self.timeout
            )
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            await self.close()
            raise WireError(f"{type(exc).__name__}: {exc}") from None
        except TimeoutError:
            await self.close()
            raise WireError(f"no answer within {self.timeout:g} s") from None

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass

    async def _exchange(
        self, method: str, target: str, headers: dict[str, str], body: bytes | None, chunked: bool
    ) -> httpx.Response:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(
                self.host, self.port, limit=1 << 20
            )
        reader, writer = self._reader, self._writer
        assert reader is not None
        lines = [f"{method} {target} HTTP/1.1", f"host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            lines.append(
                "transfer-encoding: chunked" if chunked else f"content-length: {len(body)}"
            )
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if body is None:
            writer.write(head)
        elif chunked:
            writer.write(head)
            for start in range(0, len(body), 16_384):
                piece = body[start : start + 16_384]
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            writer.write(b"0\r\n\r\n")
        else:
            writer.write(head + body)
        await writer.drain()
        status, answer_headers = _parse_head(await reader.readuntil(b"\r\n\r\n"))
        fields = {name.lower(): value for name, value in answer_headers}
        if status in _NO_BODY or method == "HEAD":
            content = b""
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            content = await _read_chunked(reader)
        elif "content-length" in fields:
            content = await reader.readexactly(int(fields["content-length"]))
        else:
            content = await reader.read()
            fields["connection"] = "close"
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return httpx.Response(status, headers=answer_headers, content=content)


def _parse_head(raw: bytes) -> tuple[int, list[tuple[str, str]]]:
    lines = raw.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return status, headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
