"""What the pool raises besides the handler's own errors.

    VisualizerError (app.errors)        code             HTTP
     +-- PoolUnavailable                unavailable      503 + Retry-After
     |    +-- PoolBusy                  (queue full, or no process free in time)
     |    +-- WorkerCrashed             (the process died before answering)
     |    +-- PoolClosed                (the server is shutting down)
     +-- WorkerError                    internal_error   500

They are VisualizerErrors so the HTTP layer's one handler renders them as
problem documents; `retry_after` (seconds) is for the Retry-After header.
None of them is a property of the request: a cache must not keep them.
Errors the handler raises on purpose (LimitExceeded, UserRuntimeError, ...)
cross the process boundary and are raised again as their own class.
"""

from __future__ import annotations

from app.errors import VisualizerError


class PoolUnavailable(VisualizerError):
    """The request was not evaluated for a reason of the server's; retry later."""

    code = "unavailable"
    title = "Service unavailable"
    status = 503

    def __init__(self, detail: str, *, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class PoolBusy(PoolUnavailable):
    """Every process is busy and the waiting line is full (or did not move in time)."""


class WorkerCrashed(PoolUnavailable):
    """The process running the request died: killed from outside, out of memory, a crash."""


class PoolClosed(PoolUnavailable):
    """The pool is closed or closing."""


class WorkerError(VisualizerError):
    """The handler failed unexpectedly (a bug); its traceback is in the server log."""

    code = "internal_error"
    title = "Internal error"
    status = 500


class PoolStartError(RuntimeError):
    """The fork server or the first workers could not start (bad handler, failing warm-up)."""
