"""The server side of an evaluation: cache, then the worker pool.

The server process never runs a user program: every job goes to a worker
process (app.workers) that runs app.pipeline. Finished answers are kept in
an LRU keyed by the canonical request, and so are deterministic errors
(a syntax error, a refusal, a program that always runs out of time): a
course page embedding a broken program costs the pool once, not once per
student.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import asdict
from typing import Any, Protocol

from app import metrics
from app.cache import Answer, AnswerCache, Memo
from app.errors import VisualizerError
from app.job import Job
from app.settings import Settings
from app.workers import PoolUnavailable, WorkerError, WorkerPool

_ERROR_ENTRIES = 256


class Keyed(Protocol):
    def key(self) -> str: ...

    def model_dump(self, *, mode: str) -> dict[str, Any]: ...


class Service:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limits = settings.limits()
        self.cache = AnswerCache(settings.cache_entries, settings.cache_mb << 20)
        # (route, raw request) -> (job, job.key()), for routes that remember them.
        self.requests: Memo[tuple[Keyed, str]] = Memo(settings.cache_entries)
        self._errors: OrderedDict[str, VisualizerError] = OrderedDict()
        self.pool = WorkerPool(
            "app.pipeline:handle",
            size=settings.pool_size,
            queue_size=settings.queue_size,
            wall_time_s=settings.wall_time_s,
            memory_bytes=settings.memory_mb << 20,
            queue_timeout_s=settings.queue_timeout_s,
            recycle_after=settings.recycle_after or None,
        )
        self._limits = asdict(self.limits)
        self._pool_metrics = metrics.PoolMetrics()

    async def start(self) -> None:
        await self.pool.start()

    async def close(self) -> None:
        await self.pool.close()

    async def run(self, job: Keyed, kind: str, *, key: str | None = None) -> Answer:
        """The answer's bytes, from the cache or a worker; raises VisualizerError.

        `job` is any request model with a canonical `key()` (a Job, or
        another kind's request); `kind` names the handler in app.pipeline;
        `key` is `job.key()` when the caller already has it.
        """
        key = f"{kind}:{key or job.key()}"
        answer = self.cache.get(key)
        error = self._errors.get(key) if answer is None else None
        if answer is not None or error is not None:
            metrics.CACHE_HITS.inc()
        if answer is not None:
            return answer
        if error is not None:
            raise error.with_traceback(None)
        metrics.CACHE_MISSES.inc()
        request = {"kind": kind, "job": job.model_dump(mode="json"), "limits": self._limits}
        try:
            meta, body = await self.pool.submit(request)
        except (PoolUnavailable, WorkerError):
            raise  # about the server's state, not the request: never cached
        except VisualizerError as exc:
            self._remember_error(key, exc)
            raise
        finally:
            self._pool_metrics.record(self.pool.stats())
        answer = Answer(body or b"", meta["media_type"])
        self.cache.put(key, answer)
        return answer

    def cached(self, kind: str, key: str) -> Answer | None:
        """The cached answer of `kind` for `key` (a job's key), counted as a hit; else None."""
        answer = self.cache.get(f"{kind}:{key}")
        if answer is not None:
            metrics.CACHE_HITS.inc()
        return answer

    async def evaluate(self, job: Job) -> dict[str, Any]:
        """The POST /api/v1/evaluate document as a dict (for server-rendered pages)."""
        answer = await self.run(job, "evaluate")
        document: dict[str, Any] = json.loads(answer.body)
        return document

    def _remember_error(self, key: str, error: VisualizerError) -> None:
        self._errors[key] = error
        while len(self._errors) > _ERROR_ENTRIES:
            self._errors.popitem(last=False)
