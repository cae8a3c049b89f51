"""The pool of worker processes that runs every evaluation for the server.

One pool per server process, started in the app's lifespan:

    pool = WorkerPool("app.pipeline:handle", size=2, wall_time_s=3.0)
    await pool.start()
    answer, payload = await pool.submit({"kind": "evaluate", "job": {...}})
    await pool.close()

A request takes an idle worker, the one idle longest (or waits in a line of
at most `queue_size`, else PoolBusy), is written to it as a JSON frame and
answered by a frame. A worker that says its answer is its last (recycled,
out of memory, or holding more than `growth_bytes` that its requests left
behind: app.workers.child) gets no more work and is replaced.
Past `wall_time_s` the worker is SIGKILLed and the request answered
LimitExceeded("wall_time"); a worker that dies mid-request answers
WorkerCrashed. Either way a replacement is forked in the background, so a
program that spins forever costs its own request the wall time and nothing
else. Nothing here blocks the event loop: sockets are asyncio transports,
deadlines are timer callbacks.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import signal
import socket
from dataclasses import asdict, dataclass
from typing import Any

from app.errors import LimitExceeded
from app.workers.child import ChildConfig
from app.workers.errors import PoolBusy, PoolClosed, PoolStartError, WorkerCrashed, WorkerError
from app.workers.line import Line
from app.workers.protocol import MAX_PAYLOAD, Message, decode_error, encode
from app.workers.spawner import ForkServer
from app.workers.worker import Pending, Reply, Worker

log = logging.getLogger("app.workers")

Answer = tuple[dict[str, Any], bytes | None]


@dataclass(frozen=True, slots=True)
class PoolStats:
    """A snapshot for /healthz and the metrics."""

    size: int  # processes the pool keeps
    alive: int  # ready processes: idle + busy
    idle: int
    busy: int
    starting: int
    waiting: int  # requests waiting for a process
    restarts: int  # processes started to replace one that ended
    timeouts: int  # requests killed at the wall-time limit
    crashes: int  # processes that died without being asked to
    served: int  # requests answered by a process

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class WorkerPool:
    """`size` pre-forked processes running `handler` ("package.module:function")."""

    def __init__(
        self,
        handler: str,
        *,
        size: int = 2,
        queue_size: int = 32,
        wall_time_s: float = 3.0,
        memory_bytes: int | None = 1 << 30,
        recycle_after: int | None = 10_000,
        growth_bytes: int | None = None,
        max_payload: int = MAX_PAYLOAD,
        queue_timeout_s: float = 10.0,
        start_timeout_s: float = 60.0,
    ) -> None:
        if size < 1 or queue_size < 0 or wall_time_s <= 0:
            raise ValueError("a pool needs size >= 1, queue_size >= 0 and wall_time_s > 0")
        self.handler = handler
        self.size = size
        self.queue_size = queue_size
        self.wall_time_s = wall_time_s
        self.queue_timeout_s = queue_timeout_s
        self.start_timeout_s = start_timeout_s
        self._config = ChildConfig(handler, memory_bytes, recycle_after, growth_bytes)
        # An answer larger than this is a broken worker's: it is killed, and
        # the request answered as if it had crashed, before the bytes are held.
        self.max_payload = max_payload
        self._loop: asyncio.AbstractEventLoop | None = None
        self._forkserver: ForkServer | None = None
        self._workers: set[Worker] = set()
        self._by_pid: dict[int, Worker] = {}
        self._line = Line(queue_size, queue_timeout_s)
        self._replenisher: asyncio.Task[None] | None = None
        # The last attempt to start a process failed (its fork server could
        # not start, or the handler could not): replacements are not coming.
        self._failing = False
        self._started = False
        self._closing = False
        self._sequence = 0
        self._restarts = self._timeouts = self._crashes = self._served = 0

    # -- public surface ---------------------------------------------------------------------

    async def start(self) -> None:
        """Start the fork server and `size` workers; return when all are ready."""
        if self._started:
            return
        if self._closing:
            raise PoolClosed("the evaluation pool is closed")
        self._loop = asyncio.get_running_loop()
        try:
            await self._ensure_forkserver()
            results = await asyncio.gather(
                *(self._spawn() for _ in range(self.size)), return_exceptions=True
            )
            for result in results:
                if isinstance(result, BaseException):
                    raise result
        except BaseException:
            await self.close()
            raise
        self._started = True
        log.info(
            "evaluation pool ready: %d processes of %s (fork server %s, import %.2f s)",
            self.size,
            self.handler,
            self.forkserver_pid,
            self._forkserver.preload_s if self._forkserver else 0.0,
        )

    async def submit(self, request: dict[str, Any], *, request_id: str | None = None) -> Answer:
        """Run `request` in a worker: its answer dict and payload, or the handler's error.

        Raises the handler's VisualizerErrors as their own classes,
        LimitExceeded("wall_time") past the wall time, PoolBusy, WorkerCrashed,
        PoolClosed, and WorkerError for a bug in the handler.
        """
        if not self._started or self._closing or self._loop is None:
            raise PoolClosed("the evaluation pool is not running", retry_after=self._retry_after)
        self._sequence += 1
        rid = request_id if request_id is not None else str(self._sequence)
        frame = encode({"id": rid, "request": request})
        worker = await self._line.acquire(self._busy)
        future: asyncio.Future[Reply] = self._loop.create_future()
        deadline = self._loop.call_later(self.wall_time_s, self._on_deadline, worker)
        worker.state = "busy"
        worker.pending = Pending(rid, future, deadline)
        assert worker.transport is not None
        worker.transport.write(frame)
        # If this task is cancelled the future is too; the worker still
        # finishes (and goes back to the pool) or meets its deadline.
        message, payload = await future
        return self._unwrap(rid, worker, message, payload)

    async def close(self) -> None:
        """Kill and reap every process, the fork server included. Idempotent."""
        self._closing = True
        if self._replenisher is not None:
            self._replenisher.cancel()
            try:
                await self._replenisher
            except asyncio.CancelledError:
                pass
            self._replenisher = None
        self._line.close(PoolClosed("the server is shutting down"))
        for worker in list(self._workers):
            self._kill(worker)
        if self._forkserver is not None:
            await self._forkserver.close()
        # Let the transports' connection_lost callbacks run and close their sockets.
        await asyncio.sleep(0)
        self._workers.clear()
        self._started = False

    def stats(self) -> PoolStats:
        states = [w.state for w in self._workers]
        idle, busy = states.count("idle"), states.count("busy")
        return PoolStats(
            size=self.size,
            alive=idle + busy,
            idle=idle,
            busy=busy,
            starting=states.count("starting"),
            waiting=self._line.waiting,
            restarts=self._restarts,
            timeouts=self._timeouts,
            crashes=self._crashes,
            served=self._served,
        )

    def serving(self) -> bool:
        """Whether a request submitted now will be served (/healthz's readiness).

        Yes while a process is ready, and while every one is being replaced
        (a request that left too much behind retires its process: with one
        client sending such programs, none is ready about a third of the
        time) as long as replacing them works: the request waits in the
        line for the replacement, milliseconds away. No before `start`,
        after `close`, and while the last attempt to start a process failed
        (a fork server that cannot start again, a handler that cannot load:
        the pool retries, backing off up to 5 s, and says yes again once one
        starts).
        """
        if not self._started or self._closing:
            return False
        if any(w.state in ("idle", "busy") for w in self._workers):
            return True
        replacing = self._replenisher is not None and not self._replenisher.done()
        return replacing and not self._failing

    def pids(self) -> list[int]:
        """Process ids of the ready workers."""
        return sorted(
            w.pid for w in self._workers if w.pid is not None and w.state in ("idle", "busy")
        )

    @property
    def forkserver_pid(self) -> int | None:
        return None if self._forkserver is None else self._forkserver.pid

    async def wait_until_full(self, timeout: float) -> bool:
        """Wait until `size` workers are ready; False if that takes longer than `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.stats().alive < self.size:
            if loop.time() > deadline or self._closing:
                return False
            await asyncio.sleep(0.005)
        return True

    async def __aenter__(self) -> WorkerPool:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- requests ---------------------------------------------------------------------------

    @property
    def _retry_after(self) -> int:
        return max(1, math.ceil(self.wall_time_s))

    def _busy(self, why: str) -> PoolBusy:
        return PoolBusy(
            f"all {self.size} evaluation processes are busy and {why}; try again shortly",
            retry_after=self._retry_after,
        )

    def _unwrap(self, rid: str, worker: Worker, message: Message, payload: bytes | None) -> Answer:
        answer = message.get("ok")
        if isinstance(answer, dict):
            return answer, payload
        error = message.get("error")
        if isinstance(error, dict):
            raise decode_error(error)
        log.error(
            "request %s failed inside evaluation process %s (see its traceback)", rid, worker.pid
        )
        raise WorkerError(
            f"the evaluation failed with an internal error; it is logged under request id {rid}"
        )

    def _on_message(self, worker: Worker, message: Message, payload: bytes | None) -> None:
        if worker.state == "starting":
            if not worker.ready.done():
                worker.ready.set_result(message)
            return
        if worker.state in ("retiring", "dead"):  # being killed: whatever it says is moot
            return
        pending = worker.pending
        if worker.state != "busy" or pending is None or message.get("id") != pending.request_id:
            log.error("evaluation process %s sent an unexpected frame; killing it", worker.pid)
            self._kill(worker)
            return
        pending.deadline.cancel()
        worker.pending = None
        self._served += 1
        if message.get("last"):  # it exits after this answer (recycling, or out of memory)
            worker.state = "retiring"
            worker.expected_exit = True
            self._replenish()
        else:
            self._line.release(worker)
        if not pending.future.done():
            pending.future.set_result((message, payload))

    def _on_broken(self, worker: Worker, why: str) -> None:
        log.error("evaluation process %s broke the protocol (%s); killing it", worker.pid, why)
        self._kill(worker)

    def _on_deadline(self, worker: Worker) -> None:
        pending = worker.pending
        if pending is None:
            return
        worker.pending = None
        self._timeouts += 1
        log.info("request %s ran out of time; killing process %s", pending.request_id, worker.pid)
        if not pending.future.done():
            pending.future.set_exception(
                LimitExceeded(
                    "wall_time",
                    self.wall_time_s,
                    f"the program ran longer than {self.wall_time_s:g} s, the time limit of "
                    "one evaluation, and was stopped",
                )
            )
        self._kill(worker)

    # -- processes --------------------------------------------------------------------------

    def _kill(self, worker: Worker) -> None:
        worker.expected_exit = True
        if worker.state != "dead":
            worker.state = "retiring"  # no longer counted: its replacement can start now
            self._replenish()
        if worker.pid is not None and not worker.exited:
            try:
                os.kill(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if worker.transport is not None:
            worker.transport.abort()  # connection_lost follows and does the bookkeeping

    def _on_lost(self, worker: Worker) -> None:
        """The worker's socket closed: it exited, was killed, or crashed."""
        previous, worker.state = worker.state, "dead"
        self._workers.discard(worker)
        if not worker.ready.done():
            worker.ready.set_result({"failed": "the process exited during start-up"})
        pending, worker.pending = worker.pending, None
        if pending is not None:
            pending.deadline.cancel()
        if not worker.expected_exit and previous != "starting":
            self._crashes += 1
            log.warning("evaluation process %s stopped unexpectedly (%s)", worker.pid, previous)
        if pending is not None and not pending.future.done():
            pending.future.set_exception(
                PoolClosed("the server is shutting down")
                if self._closing
                else WorkerCrashed(
                    "the evaluation process stopped before answering (it was killed or it "
                    "crashed); the request was not completed, try again",
                    retry_after=1,
                )
            )
        self._replenish()

    def _on_exit(self, pid: int, status: int) -> None:
        """The fork server reaped a worker."""
        worker = self._by_pid.pop(pid, None)
        if worker is None:
            return
        worker.exited = True
        if not worker.expected_exit and not self._closing:
            how = f"killed by {_signal_name(-status)}" if status < 0 else f"exit status {status}"
            log.warning("evaluation process %d ended: %s", pid, how)

    def _replenish(self) -> None:
        """Start replacements in the background, unless that is already under way."""
        if not self._started or self._closing or self._loop is None:
            return
        if self._replenisher is None or self._replenisher.done():
            self._replenisher = self._loop.create_task(self._replenish_loop())

    async def _replenish_loop(self) -> None:
        delay = 0.05
        while not self._closing:
            missing = self.size - sum(
                w.state in ("starting", "idle", "busy") for w in self._workers
            )
            if missing <= 0:
                return
            try:
                await self._ensure_forkserver()
                results = await asyncio.gather(
                    *(self._spawn() for _ in range(missing)), return_exceptions=True
                )
                failures = [r for r in results if isinstance(r, Exception)]
            except Exception as exc:  # PoolStartError, or OSError such as EMFILE
                failures = [exc]
            if failures:
                # A handler that cannot start must not become a fork loop.
                log.error("could not replace an evaluation process: %s", failures[0])
                self._failing = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            else:
                self._failing = False
                delay = 0.05

    async def _ensure_forkserver(self) -> None:
        server = self._forkserver
        if server is not None and server.alive:
            return
        if server is not None:
            log.warning("the fork server %s has gone; starting a new one", server.pid)
            await server.close()
            # Its workers died with it; no exit reports will come for them.
            self._by_pid = {p: w for p, w in self._by_pid.items() if w in self._workers}
        server = self._forkserver = ForkServer(self._config, self._on_exit)
        await server.start(self.start_timeout_s)
        if server.threads > 1:
            log.warning(
                "the fork server has %d threads after importing %s: forking it is unsafe",
                server.threads,
                self.handler,
            )

    async def _spawn(self) -> None:
        """Fork one worker and wait until it is ready (warmed up); it then joins the idle line."""
        assert self._loop is not None and self._forkserver is not None
        ours, theirs = socket.socketpair()
        worker = Worker(
            self._loop, self._on_message, self._on_broken, self._on_lost, self.max_payload
        )
        try:
            try:
                forked = self._forkserver.fork(theirs.fileno())
            finally:
                theirs.close()
            await self._loop.connect_accepted_socket(lambda: worker, ours)
        except BaseException:
            ours.close()
            raise
        if worker.state == "starting":  # not already lost while connecting
            self._workers.add(worker)
        try:
            async with asyncio.timeout(self.start_timeout_s):
                worker.pid = await forked
                if worker.pid is None:
                    raise PoolStartError("the fork server did not fork a worker")
                self._by_pid[worker.pid] = worker
                hello = await worker.ready
        except BaseException as exc:
            self._kill(worker)
            if isinstance(exc, TimeoutError):
                raise PoolStartError(
                    f"a worker did not start within {self.start_timeout_s:g} s"
                ) from None
            raise
        if "ready" not in hello:
            self._kill(worker)
            raise PoolStartError(f"a worker did not start: {hello.get('failed', hello)}")
        if worker.state == "starting":
            if self._started:
                self._restarts += 1
            self._line.release(worker)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
