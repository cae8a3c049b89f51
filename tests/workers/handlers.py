"""Handlers the pool tests run in real worker processes (`tests.workers.handlers:handle`).

One handler, many behaviours, chosen by `request["op"]`, so one pool can be
put through several of them.
"""

from __future__ import annotations

import mmap
import os
import signal
import time
from typing import Any

from app.errors import LimitExceeded, UserRuntimeError

WARMED = {"count": 0}
# What "leak" requests leave behind: kept, as a reference cycle inside torch is.
LEAKED: list[bytearray] = []
# What "map" leaves behind: address space, never touched, so not resident,
# as glibc's heap keeps the addresses of pages it gave back.
MAPPED: list[mmap.mmap] = []
# What "exhaust" holds: the whole address space the limit leaves.
HELD: list[bytearray] = []


class CustomLimit(LimitExceeded):
    """A subclass with a field of its own: it must survive the trip as itself."""

    def __init__(self, detail: str, extra: list[int]) -> None:
        super().__init__("custom", 7, detail, line=3, column=9)
        self.extra = extra


def warm_up() -> None:
    WARMED["count"] += 1


def handle(request: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    op = request.get("op", "echo")
    if op == "echo":
        return {"echo": request}, None
    if op == "pid":
        return {"pid": os.getpid(), "warmed": WARMED["count"]}, None
    if op == "bytes":
        return {"size": request["size"]}, bytes(range(256)) * (request["size"] // 256)
    if op == "sleep":
        time.sleep(request["seconds"])
        return {"slept": request["seconds"], "pid": os.getpid()}, None
    if op == "spin":
        while True:  # holds the GIL: only a kill from outside stops this
            pass
    if op == "exit":
        os._exit(3)
    if op == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    if op == "runtime":
        raise UserRuntimeError("x is not defined", line=2, column=5, end_line=2, end_column=6)
    if op == "limit":
        raise LimitExceeded("steps", 100_000, "the program ran more than 100000 steps", line=4)
    if op == "custom":
        raise CustomLimit("a custom limit", [1, 2, 3])
    if op == "local":
        # A class the server process has never seen: it arrives as its nearest known base.
        local = type("Local", (UserRuntimeError,), {})
        raise local("made up", line=1, column=1)
    if op == "bug":
        raise ValueError("secret internals: /etc/passwd")
    if op == "allocate":
        block = bytearray(request["bytes"])
        return {"allocated": len(block)}, None
    if op == "leak":
        block = bytearray(request["bytes"])
        block[::4096] = b"x" * len(block[::4096])  # touched: resident, not only mapped
        LEAKED.append(block)
        return {"pid": os.getpid(), "leaked": len(LEAKED)}, None
    if op == "map":
        MAPPED.append(mmap.mmap(-1, request["bytes"]))
        return {"pid": os.getpid(), "mapped": len(MAPPED)}, None
    if op == "garbage":  # made and dropped: freed memory is not a leftover
        block = bytearray(request["bytes"])
        block[::4096] = b"x" * len(block[::4096])
        return {"pid": os.getpid()}, bytes(request.get("answer", 0))
    if op == "exhaust":
        # A program that fails at the edge of its memory (the load test found
        # one: torch's error, then not even room to read /proc/self/statm).
        size = 64 << 20
        while size >= 64:
            try:
                HELD.append(bytearray(size))
            except MemoryError:
                size //= 2
        raise UserRuntimeError("failed at the edge of its memory", line=3, column=9)
    if op == "exit_handler":
        raise SystemExit(0)
    if op == "bad_answer":
        return {"not json": {1, 2}}, None
    raise ValueError(f"unknown op {op!r}")
