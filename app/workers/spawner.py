"""The pool's side of its fork server (app.workers.forkserver): start, fork, watch, stop.

Why our own fork server and not multiprocessing's "forkserver" context:
multiprocessing's is one per process with its preload fixed when it first
starts, it pickles a process object into every child, and it inherits the
environment as it is, so importing numpy leaves it with an OpenBLAS thread,
and forking a threaded process is how children deadlock. This one belongs to
one pool, starts with one-thread OpenMP, OpenBLAS and MKL, passes nothing
but a socket and a JSON config, and takes its workers with it when it goes.

Everything here runs on the pool's event loop; nothing blocks it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from app.workers.child import ChildConfig
from app.workers.errors import PoolStartError
from app.workers.protocol import Message, dumps

# The fork server's first lines: the parent's import path, then its main.
BOOT = (
    "import json, sys\n"
    "config = json.loads(sys.argv[1])\n"
    "sys.path[:] = config['path']\n"
    "from app.workers.forkserver import main\n"
    "main(config)\n"
)

# Held to one thread before anything is imported, so that the fork server
# stays single-threaded (and the workers do not oversubscribe the cores).
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

ExitCallback = Callable[[int, int], None]


class ForkServer:
    """One fork server process and its control socket."""

    def __init__(self, config: ChildConfig, on_exit: ExitCallback) -> None:
        self._config = config
        self._on_exit = on_exit
        self._process: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._hello: asyncio.Future[Message] | None = None
        self._forks: dict[int, asyncio.Future[int | None]] = {}
        self._tokens = itertools.count()
        self._reaper: asyncio.Task[None] | None = None
        self.threads = 0
        self.preload_s = 0.0

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def alive(self) -> bool:
        return self._control is not None

    async def start(self, timeout: float) -> None:
        """Start the process and wait until the handler's module is imported."""
        self._loop = loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        config: dict[str, Any] = {
            "fd": theirs.fileno(),
            "parent": os.getpid(),
            "path": list(sys.path),
            "handler": self._config.handler,
            "memory_bytes": self._config.memory_bytes,
            "recycle_after": self._config.recycle_after,
            "growth_bytes": self._config.growth_bytes,
        }
        env = {**os.environ, **dict.fromkeys(ONE_THREAD, "1")}
        try:
            # Started from the event loop's thread: the fork server dies with
            # the thread that started it (PR_SET_PDEATHSIG), i.e. with the loop.
            self._process = subprocess.Popen(
                [sys.executable, "-c", BOOT, json.dumps(config)],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                env=env,
            )
        except OSError as exc:
            ours.close()
            raise PoolStartError(f"could not start the fork server: {exc}") from exc
        finally:
            theirs.close()
        ours.setblocking(False)
        self._control = ours
        self._hello = loop.create_future()
        loop.add_reader(ours.fileno(), self._readable)
        try:
            hello = await asyncio.wait_for(self._hello, timeout)
        except TimeoutError:
            await self.close()
            raise PoolStartError(f"the fork server did not start within {timeout:g} s") from None
        except BaseException:
            await self.close()
            raise
        if "error" in hello:
            await self.close()
            raise PoolStartError(
                f"the handler {self._config.handler} did not load: {hello['error']}"
            )
        self.threads = int(hello.get("threads", 0))
        self.preload_s = float(hello.get("seconds", 0.0))

    def fork(self, fd: int) -> asyncio.Future[int | None]:
        """Ask for a worker on socket `fd`; the future gives its pid, or None if it failed."""
        if self._control is None or self._loop is None:
            raise PoolStartError("the fork server is not running")
        token = next(self._tokens)
        try:
            socket.send_fds(self._control, [dumps({"fork": token})], [fd])
        except OSError as exc:
            raise PoolStartError(f"the fork server did not take the request: {exc}") from exc
        future: asyncio.Future[int | None] = self._loop.create_future()
        self._forks[token] = future
        return future

    def _readable(self) -> None:
        while self._control is not None:
            try:
                data = self._control.recv(65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._lost()
                return
            self._dispatch(json.loads(data))

    def _dispatch(self, message: Message) -> None:
        if "exited" in message:
            self._on_exit(int(message["exited"]), int(message["status"]))
        elif "forked" in message:
            future = self._forks.pop(int(message["forked"]), None)
            if future is not None and not future.done():
                future.set_result(int(message["pid"]))
        elif self._hello is not None and not self._hello.done():
            self._hello.set_result(message)

    def _lost(self) -> None:
        """The control socket closed: the fork server exited (or was told to)."""
        if self._control is None or self._loop is None:
            return
        self._loop.remove_reader(self._control.fileno())
        self._control.close()
        self._control = None
        if self._hello is not None and not self._hello.done():
            self._hello.set_result({"error": "the fork server exited during start-up"})
        for future in self._forks.values():
            if not future.done():
                future.set_result(None)
        self._forks.clear()
        if self._reaper is None:
            self._reaper = self._loop.create_task(self._reap())

    async def _reap(self, timeout: float = 5.0) -> None:
        process = self._process
        if process is None:
            return
        # Its control socket is closed, so it is on its way out: killing its
        # own workers and reaping them. Poll rather than block the loop.
        deadline = asyncio.get_running_loop().time() + timeout
        while process.poll() is None:
            if asyncio.get_running_loop().time() > deadline:
                process.kill()
                process.wait()
                return
            await asyncio.sleep(0.005)

    async def close(self) -> None:
        """Stop the fork server and, through it, every worker; wait until all are reaped."""
        self._lost()
        if self._reaper is None and self._process is not None:
            self._reaper = asyncio.get_running_loop().create_task(self._reap())
        if self._reaper is not None:
            await asyncio.shield(self._reaper)
