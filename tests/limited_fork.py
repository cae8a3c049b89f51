"""Run a piece of work in a fork whose address space is nearly full.

RLIMIT_AS cannot be undone in the process that sets it, so the work runs in
a child: the limit is what is mapped now plus `extra` bytes, an alarm ends
a child that spins inside malloc (no Python handler could run there), and
the child writes what `work` returned, as JSON, to a pipe. Used by
tests/evaluate/memory_edge.py and tests/render/figure_memory.py, each run
from a fresh interpreter (one that has run hundreds of tests has room
inside its heap, and its limit would never be reached).
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable

from app.process_bounds import limit_address_space


def in_a_limited_fork(
    work: Callable[[], list[str]], extra: int, hang_s: int
) -> tuple[list[str] | None, int]:
    """What `work` returned in the child (None if it wrote nothing), and the
    child's wait status. An exception out of `work` is ["escaped", its type]."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.close(read)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(hang_s)
        try:
            limit_address_space(extra)
            try:
                outcome = work()
            except BaseException as exc:
                outcome = ["escaped", type(exc).__name__]
            os.write(write, json.dumps(outcome).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    return (json.loads(data) if data else None), status
