"""The fork server: a fresh interpreter that imports the handler once, then forks workers.

The pool (app.workers.spawner) starts it as a new `python` with OpenMP,
OpenBLAS and MKL held to one thread, so that importing torch leaves it
single-threaded: the only kind of process that is safe to fork (a fork
copies one thread; a lock held by another is held forever in the child).
Every worker is forked from here, already holding torch, pygraphviz and the
handler, in milliseconds. Workers are its children, so it reaps them.

Control messages, one JSON object per SOCK_SEQPACKET packet:

    pool -> server   {"fork": token} with the worker's socket attached (SCM_RIGHTS)
    server -> pool   {"hello": pid, "threads": n, "seconds": t} | {"error": why}   once
                     {"forked": token, "pid": pid}
                     {"exited": pid, "status": exit status, -N when killed by signal N}

When the pool's end of the socket closes (pool.close(), or the server process
died) it kills its workers, reaps them and exits. Each process also dies
with its parent (PR_SET_PDEATHSIG), so a killed server leaves nothing behind.
"""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import socket
import sys
import time
import traceback
from typing import Any

from app.process_bounds import die_with_parent
from app.workers import child
from app.workers.protocol import dumps


def main(config: dict[str, Any]) -> None:
    """Entry point of the fork server process (see spawner.BOOT)."""
    control = socket.socket(fileno=config["fd"])
    if not die_with_parent(config["parent"]):
        _exit(1)
    # Ctrl-C in a terminal signals the whole process group; shutting the
    # workers down is the pool's decision, not the terminal's.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    settings = child.ChildConfig(
        handler=config["handler"],
        memory_bytes=config["memory_bytes"],
        recycle_after=config["recycle_after"],
        growth_bytes=config.get("growth_bytes"),
    )
    started = time.perf_counter()
    try:
        child.resolve(settings.handler)
    except BaseException as exc:  # report why the handler cannot load, then exit
        traceback.print_exc()
        _send(control, {"error": f"{type(exc).__name__}: {exc}"})
        _exit(1)
    # Objects imported so far are never freed; freezing them keeps the
    # collector from touching (and so copying) their pages in every worker.
    gc.collect()
    gc.freeze()
    hello = {"hello": os.getpid(), "threads": thread_count(), "seconds": _since(started)}
    if _send(control, hello):
        _Server(control, settings).serve()
    _exit(0)


def thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


class _Server:
    def __init__(self, control: socket.socket, settings: child.ChildConfig) -> None:
        self.control = control
        self.settings = settings
        self.children: set[int] = set()
        self.pid = os.getpid()
        self.wake_r, self.wake_w = os.pipe()

    def serve(self) -> None:
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        # SIGCHLD writes a byte to the wake pipe, so one select() waits for both.
        signal.set_wakeup_fd(self.wake_w, warn_on_full_buffer=False)
        signal.signal(signal.SIGCHLD, _ignore)
        control = self.control.fileno()
        try:
            while True:
                readable, _, _ = select.select([control, self.wake_r], [], [])
                if self.wake_r in readable:
                    while _drain(self.wake_r):
                        pass
                    if not self.reap():
                        break
                if control in readable and not self.command():
                    break
        finally:
            self.stop()

    def command(self) -> bool:
        """Handle one control packet; False when the pool has gone."""
        try:
            data, fds, _, _ = socket.recv_fds(self.control, 4096, 4)
        except OSError:
            return False
        if not data:
            return False
        token = json.loads(data).get("fork")
        if token is None or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            return True
        pid = self.fork(fds[0])
        return _send(self.control, {"forked": token, "pid": pid})

    def fork(self, fd: int) -> int:
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.close(self.wake_r)
                os.close(self.wake_w)
                self.control.close()
                if die_with_parent(self.pid):
                    status = child.run(fd, self.settings)
            except BaseException:
                traceback.print_exc()
            finally:
                _exit(status)
        os.close(fd)
        self.children.add(pid)
        return pid

    def reap(self) -> bool:
        """Collect every finished child and tell the pool; False when the pool has gone."""
        alive = True
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return alive
            if pid == 0:
                return alive
            self.children.discard(pid)
            exit_status = os.waitstatus_to_exitcode(status)
            alive = _send(self.control, {"exited": pid, "status": exit_status}) and alive

    def stop(self) -> None:
        for pid in self.children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in self.children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self.children.clear()


def _send(control: socket.socket, message: dict[str, Any]) -> bool:
    try:
        control.send(dumps(message))
    except OSError:
        return False
    return True


def _drain(fd: int) -> bool:
    try:
        return bool(os.read(fd, 512))
    except BlockingIOError:
        return False


def _ignore(signum: int, frame: object) -> None:
    """SIGCHLD needs a Python handler for set_wakeup_fd to see it."""


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 4)


def _exit(status: int) -> None:
    # os._exit: no atexit hooks, no joining of threads a library may have
    # started, nothing that can hang a process that is meant to be gone.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)
