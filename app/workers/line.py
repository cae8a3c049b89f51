"""The idle workers and the requests waiting for one.

Idle workers are taken first in, first out: the one idle longest serves
next, so requests go round the pool and no one process serves one client's
requests back to back (last in, first out kept one process on nearly
everything, with whatever each request left behind it: see
app.workers.child for how those leftovers are bounded). Waiting requests
are served first in, first out, and there are at most `queue_size` of
them: one more is PoolBusy at once, and so is one that waited `timeout_s`
in vain.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from app.workers.errors import PoolBusy
from app.workers.worker import Worker


class Line:
    def __init__(self, queue_size: int, timeout_s: float) -> None:
        self.queue_size = queue_size
        self.timeout_s = timeout_s
        self._idle: deque[Worker] = deque()
        self._waiters: deque[asyncio.Future[Worker]] = deque()

    @property
    def waiting(self) -> int:
        return sum(not waiter.done() for waiter in self._waiters)

    async def acquire(self, busy: Callable[[str], PoolBusy]) -> Worker:
        """An idle worker, now or after waiting; `busy(why)` is raised when there is none."""
        while True:
            while self._idle:
                worker = self._idle.popleft()
                if worker.state == "idle":  # not killed while it sat here
                    return worker
            if len(self._waiters) >= self.queue_size:
                raise busy(f"{len(self._waiters)} requests are already waiting")
            waiter: asyncio.Future[Worker] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                async with asyncio.timeout(self.timeout_s):
                    worker = await waiter
            except BaseException as exc:
                # Cancelled or timed out just after being handed a worker: pass it on.
                if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                    self.release(waiter.result())
                if isinstance(exc, TimeoutError):
                    raise busy(f"none became free within {self.timeout_s:g} s") from None
                raise
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            if worker.state == "idle":  # it may have died between hand-over and now
                return worker

    def release(self, worker: Worker) -> None:
        """An idle worker goes to the longest waiting request, or into the line."""
        worker.state = "idle"
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def close(self, error: Exception) -> None:
        """Fail every waiting request with `error` and forget the idle workers."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(error)
        self._idle.clear()
