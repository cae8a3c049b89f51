"""Prometheus metrics on /metrics (prometheus-fastapi-instrumentator), plus
the service's own: the answer cache and the evaluation pool.

Every request is counted by `HttpMetrics`, a pure ASGI middleware that
records the instrumentator's default metrics (`http_requests_total`,
`http_request_size_bytes`, `http_response_size_bytes`,
`http_request_duration_highr_seconds`, `http_request_duration_seconds`) with
its names, labels and buckets; the instrumentator serves /metrics. Why not
the instrumentator's own middleware: per request it builds a Request, a
Response and an Info object, matches the path against every route and
gathers an empty list of coroutines, about 70 µs, as much as the rest of a
cached <img> answer (BENCHMARKS.md); this one remembers each path's route
and each label set's child, about 15 µs.

With several server processes, set PROMETHEUS_MULTIPROC_DIR to an empty
directory before they start (`python -m app serve` does it for you), so
/metrics sums every process, not the one that happened to answer. Gauges
are therefore "livesum": the sum over the processes alive now.
"""

from __future__ import annotations

import re
import time
from typing import Any

from fastapi import FastAPI
from prometheus_client import Counter, Gauge, Histogram, Summary
from prometheus_fastapi_instrumentator import Instrumentator
from prometheus_fastapi_instrumentator.routing import get_route_name
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.workers import PoolStats

CACHE_HITS = Counter("autograd_viz_cache_hits", "Answers served from the answer cache.")
CACHE_MISSES = Counter("autograd_viz_cache_misses", "Answers computed by a worker.")
POOL_RESTARTS = Counter(
    "autograd_viz_pool_restarts", "Evaluation processes started to replace one that ended."
)
POOL_TIMEOUTS = Counter("autograd_viz_pool_timeouts", "Evaluations killed at the wall-time limit.")
POOL_CRASHES = Counter("autograd_viz_pool_crashes", "Evaluation processes that died unasked.")
POOL_ALIVE = Gauge(
    "autograd_viz_pool_alive", "Evaluation processes ready to work.", multiprocess_mode="livesum"
)
POOL_BUSY = Gauge(
    "autograd_viz_pool_busy", "Evaluation processes working now.", multiprocess_mode="livesum"
)
POOL_WAITING = Gauge(
    "autograd_viz_pool_waiting", "Requests waiting for a process.", multiprocess_mode="livesum"
)


class PoolMetrics:
    """Turns the pool's running totals into counter increments and gauge values,
    written only when they change: with several server processes each write
    goes to a shared file (and checks the process id), a dozen microseconds a
    request for values that rarely move."""

    def __init__(self) -> None:
        self._last = (0, 0, 0)
        self._gauges: tuple[int, int, int] | None = None

    def record(self, stats: PoolStats) -> None:
        totals = (stats.restarts, stats.timeouts, stats.crashes)
        if totals != self._last:
            for counter, now, before in zip(
                (POOL_RESTARTS, POOL_TIMEOUTS, POOL_CRASHES), totals, self._last, strict=True
            ):
                if now > before:
                    counter.inc(now - before)
            self._last = totals
        gauges = (stats.alive, stats.busy, stats.waiting)
        if gauges != self._gauges:
            POOL_ALIVE.set(stats.alive)
            POOL_BUSY.set(stats.busy)
            POOL_WAITING.set(stats.waiting)
            self._gauges = gauges


# The instrumentator's default metrics (prometheus_fastapi_instrumentator.metrics.default).
HTTP_REQUESTS = Counter(
    "http_requests_total",
    "Total number of requests by method, status and handler.",
    ("method", "status", "handler"),
)
HTTP_REQUEST_SIZE = Summary(
    "http_request_size_bytes",
    "Content length of incoming requests by handler. Only value of header is respected. "
    "Otherwise ignored. No percentile calculated. ",
    ("handler",),
)
HTTP_RESPONSE_SIZE = Summary(
    "http_response_size_bytes",
    "Content length of outgoing responses by handler. Only value of header is respected. "
    "Otherwise ignored. No percentile calculated. ",
    ("handler",),
)
HTTP_LATENCY_HIGHR = Histogram(
    "http_request_duration_highr_seconds",
    "Latency with many buckets but no API specific labels. "
    "Made for more accurate percentile calculations. ",
    buckets=(0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5)
    + (7.5, 10, 30, 60, float("inf")),
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Latency with only few buckets by handler. "
    "Made to be only used if aggregation by handler is important. ",
    ("method", "handler"),
    buckets=(0.1, 0.5, 1, float("inf")),
)

EXCLUDED = re.compile("/metrics|/static/.*")
_ROUTES = 1_024  # paths whose route is remembered; past that, matched anew


class HttpMetrics:
    """Counts every HTTP request as the instrumentator's middleware does
    (handler: the route's path template, or "none" for an unknown path;
    status: the exact code; 500 when the app raised). A request the app
    left unanswered without raising (the client went away mid-body; the
    HTTP server itself answered a malformed one) is not counted: no status
    was sent, and a 500 would set off 5xx alerts for the client's fault."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._handlers: dict[tuple[str, str], str | None] = {}
        self._children: dict[tuple[str, ...], tuple[Any, ...]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        handler = self._handler(scope)
        if handler is None:  # excluded: /metrics itself, static files
            await self.app(scope, receive, send)
            return
        status: int | None = None
        sent = 0

        async def counting_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", ()):
                    if name == b"content-length":
                        sent = int(value)
                        break
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        except BaseException:
            if status is None:
                status = 500
            raise
        finally:
            if status is not None:
                duration = max(time.perf_counter() - started, 0.0)
                self._record(scope, handler, str(status), sent, duration)

    def _handler(self, scope: Scope) -> str | None:
        """The route template of the path ("none" if no route), None if excluded."""
        path = scope["path"]
        found = self._handlers.get((scope["method"], path), "")
        if found != "":
            return found
        name = get_route_name(HTTPConnection(scope), should_include_root_path=False)
        handler: str | None = name or "none"
        if EXCLUDED.search(name or path):
            handler = None
        if name is not None and len(self._handlers) < _ROUTES:
            self._handlers[(scope["method"], path)] = handler
        return handler

    def _record(self, scope: Scope, handler: str, status: str, sent: int, duration: float) -> None:
        method = scope["method"]
        labels = (method, status, handler)
        children = self._children.get(labels)
        if children is None:
            children = (
                HTTP_REQUESTS.labels(method, status, handler),
                HTTP_REQUEST_SIZE.labels(handler),
                HTTP_RESPONSE_SIZE.labels(handler),
                HTTP_LATENCY.labels(method, handler),
            )
            if len(self._children) < _ROUTES:
                self._children[labels] = children
        total, request_size, response_size, latency = children
        total.inc()
        received = 0
        for name, value in scope["headers"]:
            if name == b"content-length":
                received = int(value) if value.isdigit() else 0
                break
        request_size.observe(received)
        response_size.observe(sent)
        HTTP_LATENCY_HIGHR.observe(duration)
        latency.observe(duration)


def expose(app: FastAPI) -> None:
    """Serve /metrics (the app adds HttpMetrics itself, in its place: app.main)."""
    Instrumentator(excluded_handlers=["/metrics", "/static/.*"]).expose(
        app, endpoint="/metrics", include_in_schema=False
    )
