"""Prometheus metrics on /metrics (prometheus-fastapi-instrumentator), plus
the service's own: the answer cache and the evaluation pool.

With several server processes, set PROMETHEUS_MULTIPROC_DIR to an empty
directory before they start (`python -m app serve` does it for you), so
/metrics sums every process, not the one that happened to answer. Gauges
are therefore "livesum": the sum over the processes alive now.
"""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import Counter, Gauge
from prometheus_fastapi_instrumentator import Instrumentator

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
    """Turns the pool's running totals into counter increments."""

    def __init__(self) -> None:
        self._last = (0, 0, 0)

    def record(self, stats: PoolStats) -> None:
        restarts, timeouts, crashes = self._last
        POOL_RESTARTS.inc(max(0, stats.restarts - restarts))
        POOL_TIMEOUTS.inc(max(0, stats.timeouts - timeouts))
        POOL_CRASHES.inc(max(0, stats.crashes - crashes))
        self._last = (stats.restarts, stats.timeouts, stats.crashes)
        POOL_ALIVE.set(stats.alive)
        POOL_BUSY.set(stats.busy)
        POOL_WAITING.set(stats.waiting)


def install(app: FastAPI) -> None:
    Instrumentator(
        excluded_handlers=["/metrics", "/static/.*"],
        should_group_status_codes=False,
    ).instrument(app).expose(app, endpoint="/metrics", include_in_schema=False)
