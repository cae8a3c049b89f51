"""Running a scenario against a real pool: each on its own event loop (asyncio.run).

Pools are cheap: about 0.1 s to start with a handler that does not import torch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from app.workers import WorkerPool

HANDLER = "tests.workers.handlers:handle"


def run(scenario: Callable[[WorkerPool], Awaitable[None]], **options: Any) -> None:
    """Start a pool (size 2, wall time 2 s unless `options` say otherwise), run, close."""

    async def main() -> None:
        settings: dict[str, Any] = {"size": 2, "wall_time_s": 2.0, "start_timeout_s": 20.0}
        async with WorkerPool(HANDLER, **{**settings, **options}) as pool:
            await scenario(pool)

    asyncio.run(main())


async def until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)
