"""The layout process: Graphviz in a small interpreter of its own, for the
layouts that may run long or crash (app/render/layout.py says which).

Why a process: Graphviz has no time-out of its own and holds the GIL while
it works, and 14.1.5 aborts on some graphs with loop boxes. Killing this
process ends a layout at its time-out; an abort ends this process only, and
the evaluation process that asked answers the numbers all the same.

Why one long-lived process and not a fork per layout, as before: the
evaluation process has torch mapped (230-280 MB), so a fork of it and the
child's exit cost about 5 ms of page tables before any layout, and every
graph with a loop box paid that (the loop lesson: 2.2 ms in-process, 8.9 ms
forked). This process maps about 40 MB, starts once (a fresh interpreter,
ctypes and pygraphviz, both contexts warmed: about 0.2 s, off the request's
path), and lays out one graph after another. It is started again only after
a crash or a time-out killed it.

Protocol, on the process's stdin and stdout: a request is a 4-byte
big-endian length, then `<format> <measure>\\n` and the DOT; an answer is a
4-byte length, then b"ok:" and Graphviz's output, or b"error:" and why
Graphviz refused the DOT. Only our DOT and Graphviz's output cross: no
pickle. The process points its own fd 1 at stderr once it holds the pipe,
so nothing Graphviz prints can reach an answer.

Bounds: the process dies with the one that started it (PR_SET_PDEATHSIG,
and EOF on its stdin); its address space is capped at what it maps once
warm plus MEMORY_BYTES; each layout is bounded by the caller's deadline.
"""

from __future__ import annotations

import contextlib
import os
import select
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from app.graphviz.library import LayoutError, LayoutFormat, TextMeasure, library
from app.process_bounds import die_with_parent, limit_address_space

# Address space the process may map beyond its warm size: a 5,000-node loop
# graph, the largest the service draws, needs about 80 MB of it.
MEMORY_BYTES = 1 << 30

_HEADER = struct.Struct(">I")
_MEASURES: dict[str, TextMeasure] = {"pango": "pango", "metrics": "metrics"}
_FORMATS: dict[str, LayoutFormat] = {"svg": "svg", "png": "png"}


class LayoutTimeout(RuntimeError):
    """The layout ran past its time-out and was stopped."""


class LayoutCrashed(RuntimeError):
    """The layout process died without an answer (Graphviz crashed)."""


class LayoutProcess:
    """The client side: one layout process, started on demand, one layout at a time."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        """The running process's id, if one runs."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def start(self) -> None:
        """Start the process unless it runs; returns at once (it warms up on its
        own). If it cannot start, the next layout that needs it tries again and
        says why."""
        with self._lock:
            with contextlib.suppress(LayoutCrashed):
                self._running()

    def layout(self, dot: bytes, fmt: LayoutFormat, measure: TextMeasure, deadline: float) -> bytes:
        """Graphviz's `fmt` output for `dot`, laid out in the process by `deadline`
        (time.monotonic()). Raises LayoutError if Graphviz refused the DOT,
        LayoutTimeout (the process is killed) or LayoutCrashed (it died)."""
        with self._lock:
            process = self._running()
            assert process.stdin is not None and process.stdout is not None
            request = f"{fmt} {measure}\n".encode() + dot
            try:
                _write(process.stdin.fileno(), _HEADER.pack(len(request)) + request, deadline)
                head = _read(process.stdout.fileno(), _HEADER.size, deadline)
                answer = _read(process.stdout.fileno(), _HEADER.unpack(head)[0], deadline)
            except TimeoutError:
                self._stop()
                raise LayoutTimeout("the layout ran past its time-out") from None
            except (EOFError, BrokenPipeError):
                self._stop()
                raise LayoutCrashed("the layout process died (Graphviz crashed)") from None
        if answer.startswith(b"ok:"):
            return answer[3:]
        if answer.startswith(b"error:"):
            raise LayoutError(answer[6:].decode(errors="replace"))
        raise LayoutCrashed(f"the layout process answered {answer[:20]!r}")

    def stop(self) -> None:
        """Kill the process, if one runs, and reap it."""
        with self._lock:
            self._stop()

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stop()
        root = str(Path(__file__).resolve().parents[2])  # where `app` is importable from
        path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "app.graphviz.process", str(os.getpid())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": path},
            )
        except OSError as error:  # no process to be had (EAGAIN, ENOMEM): no layout either
            raise LayoutCrashed(f"the layout process could not start: {error}") from None
        return self._process

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()

    def forget_after_fork(self) -> None:
        """In a forked child: the parent's process is not ours to use or stop.
        The child closes its copies of the pipes and starts its own if it needs one."""
        process, self._process = self._process, None
        self._lock = threading.Lock()
        if process is not None:
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()


def _write(fd: int, data: bytes, deadline: float) -> None:
    view = memoryview(data)
    os.set_blocking(fd, False)
    while view:
        _wait(fd, deadline, write=True)
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            continue


def _read(fd: int, size: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    while size:
        _wait(fd, deadline, write=False)
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _wait(fd: int, deadline: float, *, write: bool) -> None:
    """Until `fd` is ready to write (or read); TimeoutError at `deadline`."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    reads, writes = ([], [fd]) if write else ([fd], [])
    readable, writable, _ = select.select(reads, writes, [], remaining)
    if not (writable or readable):
        raise TimeoutError


# The process side.


def main(argv: list[str]) -> int:
    """Serve layouts on stdin/stdout until stdin closes; argv[0] is the parent's pid."""
    if not die_with_parent(int(argv[0])):
        return 0
    requests, answers = os.dup(0), os.dup(1)
    os.dup2(2, 1)  # Graphviz's and anybody's prints go to stderr, never into an answer
    graphviz = library()
    for warm in _MEASURES.values():  # contexts and fonts loaded before the first request
        graphviz.render(b"digraph { a [label=<<B>a</B>>] }", "svg", warm)
    limit_address_space(MEMORY_BYTES)
    while True:
        head = _read_blocking(requests, _HEADER.size)
        if head is None:
            return 0  # our parent closed the pipe: it is done, or gone
        request = _read_blocking(requests, _HEADER.unpack(head)[0])
        if request is None:
            return 0
        options, _, dot = request.partition(b"\n")
        fmt_name, _, measure_name = options.decode().partition(" ")
        fmt, measure = _FORMATS.get(fmt_name), _MEASURES.get(measure_name)
        if fmt is None or measure is None:
            raise SystemExit(f"layout process: no format and measure {options!r}")
        try:
            answer = b"ok:" + graphviz.render(dot, fmt, measure)
        except LayoutError as error:
            answer = b"error:" + str(error).encode()
        os.write(answers, _HEADER.pack(len(answer)))
        view = memoryview(answer)
        while view:
            view = view[os.write(answers, view) :]


def _read_blocking(fd: int, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
