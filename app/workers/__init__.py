"""The isolated worker processes that run every evaluation for the server.

    pool.py        WorkerPool: the asyncio side, one per server process
    spawner.py     the pool's handle on its fork server
    forkserver.py  the fork server process: imports the handler once, forks workers
    child.py       the worker process: request in, handler, answer out
    protocol.py    the frames between them: JSON and raw bytes, never pickle
    errors.py      PoolBusy, WorkerCrashed, PoolClosed, WorkerError, PoolStartError

The server process never runs a user program; a worker does, bounded in
wall time (killed and replaced) and address space (RLIMIT_AS).
"""

from __future__ import annotations

from app.workers.errors import (
    PoolBusy,
    PoolClosed,
    PoolStartError,
    PoolUnavailable,
    WorkerCrashed,
    WorkerError,
)
from app.workers.pool import PoolStats, WorkerPool

__all__ = [
    "PoolBusy",
    "PoolClosed",
    "PoolStartError",
    "PoolStats",
    "PoolUnavailable",
    "WorkerCrashed",
    "WorkerError",
    "WorkerPool",
]
