"""How late the server process's event loop runs.

A timer that should fire every INTERVAL_S measures how much later it does:
whatever runs in the event loop without yielding (a page rendered there, a
big JSON read) delays it by as much, and every request waiting on the loop
(/healthz, a cached image) by as much again. The worst delay of each second
of the last WINDOW_S is kept; /healthz reports the worst of them
(`event_loop.worst_lag_ms`), so a flood test, or an operator, can see that
no request makes the loop wait.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque

INTERVAL_S = 0.05
WINDOW_S = 60


class LoopLag:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._due = 0.0
        # (whole second, the worst lag seen in it), the last WINDOW_S of them.
        self._seconds: deque[tuple[int, float]] = deque(maxlen=WINDOW_S)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._due = self._loop.time() + INTERVAL_S
        self._timer = self._loop.call_at(self._due, self._tick)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self) -> None:
        assert self._loop is not None
        now = self._loop.time()
        lag = max(0.0, now - self._due)
        second = math.floor(now)
        if self._seconds and self._seconds[-1][0] == second:
            if lag > self._seconds[-1][1]:
                self._seconds[-1] = (second, lag)
        else:
            self._seconds.append((second, lag))
        self._due = now + INTERVAL_S
        self._timer = self._loop.call_at(self._due, self._tick)

    def worst(self, window_s: float = WINDOW_S) -> float:
        """The worst lag, in seconds, over the last `window_s` seconds."""
        if self._loop is None:
            return 0.0
        since = self._loop.time() - window_s
        return max((lag for second, lag in self._seconds if second + 1 >= since), default=0.0)
