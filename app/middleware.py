"""Pure ASGI middleware: request ids and security headers, the last-resort
500, request hygiene, rate limiting, HEAD on images.

Their order is app.main's: RequestContext, HttpMetrics (app.metrics) and
CORS go around every other, so that every answer, the refusals of the
middleware below them (413, 414, 408, 429) and the last-resort 500
(`Faults`) included, carries a request id, the security headers and the
CORS headers, and is counted.

Pure ASGI rather than BaseHTTPMiddleware: a cached <img> answer must cost
little more than a dictionary look-up, and each BaseHTTPMiddleware layer
costs a task and a memory stream per request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import PROBLEM_MEDIA_TYPE, problem_document
from app.settings import Settings

log = logging.getLogger("app.errors")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Who may frame an embed: any page, a course page opened from disk included
# (`*` matches network schemes only: file:// pages were refused).
FRAMED_ANYWHERE = "* file:"
# Images may be embedded anywhere but can never run script, even opened directly.
IMAGE_CSP = (
    f"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors {FRAMED_ANYWHERE}; sandbox"
)

_IMAGE_PATHS = re.compile(r"^/api/v1/(graph|figure|optimize|plot)\.(svg|png|dot|json)$")


def content_security_policy(path: str) -> str:
    if _IMAGE_PATHS.match(path):
        return IMAGE_CSP
    if path.startswith("/api/") or path in ("/metrics", "/healthz", "/openapi.json"):
        return API_CSP
    if path == "/embed":
        return PAGE_CSP.format(ancestors=FRAMED_ANYWHERE)
    return PAGE_CSP.format(ancestors="'none'")


async def send_problem(
    send: Send, scope: Scope, status: int, code: str, detail: str, headers: list[Any] | None = None
) -> None:
    """Answer from inside middleware, in the same problem+json shape as the app."""
    request_id = scope.get("state", {}).get("request_id")
    document = problem_document(status, code, detail, request_id=request_id)
    body = json.dumps(document).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestContext:
    """A request id and the security headers of every answer. It also answers
    the last-resort 500 for a fault in the few middleware between it and
    `Faults`, which answers every other."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        extra = [
            (b"x-request-id", request_id.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]
        csp = content_security_policy(scope["path"]).encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.extend(extra)
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", csp))
                message = {**message, "headers": headers}
            await send(message)

        await call_answering_faults(self.app, scope, receive, send_with_headers)


class Faults:
    """The last-resort 500: an exception that reached here is logged with the
    request id and answered as a problem without internals (unless the answer
    had started: then the connection is closed by the server). Inside CORS and
    the metrics, so a cross-origin caller can read it and /metrics counts it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await call_answering_faults(self.app, scope, receive, send)


async def call_answering_faults(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run `app`; an exception that escapes it is logged with the request id
    and answered as a 500 problem through `send`, unless the answer had
    started (then the server closes the connection)."""
    started = False

    async def tracking_send(message: Message) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    try:
        await app(scope, receive, tracking_send)
    except Exception:
        request_id = scope.get("state", {}).get("request_id", "-")
        log.exception("unexpected error (request %s) on %s", request_id, scope["path"])
        if not started:
            detail = f"An unexpected error occurred; quote request id {request_id}."
            await send_problem(send, scope, 500, "internal_error", detail)


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _REQUEST_ID.match(text) else None
    return None


class _BodyTooLarge(Exception):
    pass


class _BodyTooSlow(Exception):
    pass


# What is read and dropped of a refused body before its 413 (a lingering
# close): at most this much, within the body deadline.
DRAIN_BYTES = 64 << 20


async def drain(receive: Receive, deadline: float, limit: int = DRAIN_BYTES) -> None:
    """Read and drop what the client is still sending of its body, up to `limit`
    bytes and until `deadline` (time.monotonic()), whichever comes first.

    A client that sends its whole body before it reads the answer (Python's
    urllib, which also says `Connection: close`) would otherwise meet a
    connection closed while it still sends: the kernel answers the unread
    bytes with a reset, and the client never reads the 413 that says why.
    """
    received = 0
    while received < limit:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        try:
            async with asyncio.timeout(remaining):
                message = await receive()
        except TimeoutError:
            return
        if message["type"] != "http.request":  # the client went away
            return
        received += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


class RequestLimits:
    """Query-string length (414), and a body size limit counted on the bytes
    received, not only Content-Length (413), read within a deadline so a
    client trickling its body is cut off (408). A body with a Content-Encoding
    (gzip, ...) is a 415: bodies are read as they come, and the route would
    read a gzipped one as broken JSON (RFC 9110 15.5.16). (JSON-only bodies
    are checked by the routes, after routing, so a wrong method still
    answers 405.)

    Before a 413 the rest of the body is read and dropped (`drain`: at most
    DRAIN_BYTES, within the body deadline), so that a client that sends all
    of it before reading reads the 413; not for a client that asked to be
    told first (`Expect: 100-continue`), which sends nothing more."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_query = settings.max_query_chars
        self.max_body = settings.max_body_bytes
        self.body_timeout = settings.body_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_query:
            detail = f"The query string is longer than {self.max_query:,} characters."
            await send_problem(send, scope, 414, "limit_exceeded", detail)
            return
        if scope["method"] != "POST":  # the only method with a body; others route to 405
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if headers.get(b"content-encoding", b"identity").strip().lower() not in (b"", b"identity"):
            detail = "The request body must be sent as it is: no Content-Encoding (gzip or other)."
            accepted = [(b"accept-encoding", b"identity")]
            await send_problem(send, scope, 415, "unsupported_media_type", detail, accepted)
            return
        deadline = time.monotonic() + self.body_timeout
        lingers = headers.get(b"expect", b"").strip().lower() != b"100-continue"
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            if lingers and int(declared) <= DRAIN_BYTES:
                await drain(receive, deadline)
            await send_problem(send, scope, 413, "limit_exceeded", self._too_large())
            return

        received = 0
        started = refused = False

        async def refuse(status: int, code: str, detail: str) -> None:
            # Answered here, from inside receive(), rather than by letting the
            # exception reach our `except`: FastAPI turns any exception raised
            # while it reads a body into its own 400 "error parsing the body".
            nonlocal refused
            if not started and not refused:
                refused = True
                await send_problem(send, scope, status, code, detail)

        async def counted_receive() -> Message:
            nonlocal received
            remaining = deadline - time.monotonic()
            try:
                # asyncio.timeout, not wait_for: no task of its own per receive.
                async with asyncio.timeout(max(remaining, 0.001)):
                    message = await receive()
            except TimeoutError:
                detail = f"The request body did not arrive within {self.body_timeout:g} s."
                await refuse(408, "invalid_request", detail)
                raise _BodyTooSlow from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    if lingers and message.get("more_body", False):
                        await drain(receive, deadline, DRAIN_BYTES - received)
                    await refuse(413, "limit_exceeded", self._too_large())
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the app's answer to a body we cut off: ours went first
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except (_BodyTooLarge, _BodyTooSlow):
            pass  # answered by refuse(), unless the response had already started

    def _too_large(self) -> str:
        return f"The request body is larger than {self.max_body:,} bytes."


class RateLimit:
    """A token bucket per client address: `per_minute` requests a minute,
    bursts up to the same number. In-process, so with N server processes a
    client gets up to N times the rate; put a shared limiter in front for more."""

    EXEMPT = ("/healthz", "/metrics", "/static/")

    def __init__(self, app: ASGIApp, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.EXEMPT):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        now = self.clock()
        tokens, last = self.buckets.get(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens < 1.0:
            retry = max(1, math.ceil((1.0 - tokens) / self.rate))
            self.buckets[client] = (tokens, now)
            detail = f"More than {int(self.capacity)} requests a minute from this client."
            await send_problem(
                send, scope, 429, "rate_limited", detail, [(b"retry-after", str(retry).encode())]
            )
            return
        self.buckets[client] = (tokens - 1.0, now)
        if len(self.buckets) > 100_000:  # forget idle clients rather than grow without end
            self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < 60}
        await self.app(scope, receive, send)


class Cors(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered as problem+json like
    every other 4xx (Starlette's is a text/plain "Disallowed CORS method")."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        refused = bytes(response.body).decode().removeprefix("Disallowed CORS ")
        detail = (
            f"The preflight asks for what cross-origin requests may not use ({refused}): "
            f"methods {', '.join(sorted(self.allow_methods))}; "
            f"headers {', '.join(sorted(self.allow_headers))}."
        )
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-length", "content-type")
        }
        return JSONResponse(
            problem_document(400, "invalid_request", detail),
            status_code=400,
            media_type=PROBLEM_MEDIA_TYPE,
            headers=headers,
        )


class Head:
    """HEAD on any URL answers as GET does, headers and status alike
    (Content-Length and ETag included), without the body (RFC 9110 9.3.2;
    9.1: a general-purpose server MUST support GET and HEAD), so a link
    checker or a cache can ask what a page or an <img> would get. FastAPI's
    routes answer GET only. Outside CachedImages, so a cached image answers
    HEAD from the cache too; a URL that takes no GET answers its 405."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class RelativeRedirects:
    """The router's own redirects (`/embed/` to `/embed`, `/static` to
    `/static/`) are written by Starlette as absolute URLs made from the
    request's `Host` header, which the client writes: a link to
    `/embed/?...` with `Host: evil.example` would send its visitor there.
    Every redirect this app makes is to itself, so an absolute one is
    answered with its path and query alone, which browsers resolve against
    the address they asked."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def relative(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message = {**message, "headers": [_relative(h) for h in message["headers"]]}
            await send(message)

        await self.app(scope, receive, relative)


def _relative(header: tuple[bytes, bytes]) -> tuple[bytes, bytes]:
    name, value = header
    if name.lower() != b"location":
        return header
    parts = urlsplit(value.decode("latin-1"))
    if not parts.scheme and not parts.netloc:
        return header
    path = parts.path or "/"
    return name, (path + (f"?{parts.query}" if parts.query else "")).encode("latin-1")


Middleware = Callable[[Scope, Receive, Send], Awaitable[None]]
