"""The CLI's jobs, bounded as the server's: a worker pool of one process.

`render`, `eval` and `optimize` do not run a program in their own process:
a program that spins or allocates without end would take the command with
it. They hand each job to a WorkerPool of size 1 (app.workers), the server's own
machinery: a fork server imports torch and Graphviz once, the worker runs
app.pipeline under RLIMIT_AS, and past the wall time the pool kills it,
raises LimitExceeded("wall_time") with the server's message and forks a
replacement for the next program of a batch. The request is the one
app.service sends, with the limits from the same settings
(`AUTOGRAD_VIZ_WALL_TIME_S`, `AUTOGRAD_VIZ_MEMORY_MB`, ...), so an answer's
bytes and an error's code and detail are the server's.

    with Runner(get_settings()) as runner:
        body = runner.run(job, "image")

The pool starts on the first job that parses: a program with a syntax error
or a refused name is refused here by app.parse, the function the worker
would run first, with the same limits, so the error is the same and costs
no process (a batch of broken lessons fails fast).
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from types import TracebackType

from app.job import FigureJob, Job, work_request
from app.optimize import OptimizeRequest, PlotRequest
from app.parse import parse_program
from app.settings import Settings
from app.workers import WorkerPool

# How long a job waits for the pool's one process: only ever for a
# replacement to start (after a kill), which is a fork and a warm-up.
_REPLACEMENT_WAIT_S = 60.0


class Runner:
    """Runs jobs one at a time in a bounded worker process; a context manager."""

    def __init__(self, settings: Settings) -> None:
        self.limits = settings.limits()
        self._limits = asdict(self.limits)
        self._pool = WorkerPool(
            "app.pipeline:handle",
            size=1,
            queue_size=1,
            queue_timeout_s=_REPLACEMENT_WAIT_S,
            **settings.process_bounds(),
        )
        self._loop: asyncio.Runner | None = None

    def run(self, job: Job | OptimizeRequest | PlotRequest | FigureJob, kind: str) -> bytes:
        """The answer's bytes; raises the VisualizerError the server would answer.

        `kind` is app.pipeline.handle's: "evaluate" or "image" for a Job,
        "figure" for a FigureJob, "optimize", "optimize_image" or "plot" for
        the other two.

        Raises PoolStartError if the worker process cannot start at all.
        """
        parse_program(job.job.source if isinstance(job, FigureJob) else job.source, self.limits)
        if self._loop is None:
            self._loop = asyncio.Runner()
            self._loop.run(self._pool.start())
        request = work_request(kind, job, self._limits)
        _, body = self._loop.run(self._pool.submit(request))
        return body or b""

    def close(self) -> None:
        """Stop the worker and its fork server. Idempotent."""
        loop, self._loop = self._loop, None
        if loop is None:
            return
        try:
            loop.run(self._pool.close())
        finally:
            loop.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
