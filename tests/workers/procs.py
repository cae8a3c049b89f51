"""Process inspection for the pool tests, straight from /proc."""

from __future__ import annotations

import os
import time
from pathlib import Path


def parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    return int(stat.rsplit(")", 1)[1].split()[1])


def cmdline(pid: int) -> str:
    """The process's command line, arguments joined by spaces ("" once it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def descendants(pid: int | None = None) -> set[int]:
    """Every live or zombie process below `pid` (default: this one)."""
    root = os.getpid() if pid is None else pid
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = parent_of(int(entry))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    found: set[int] = set()
    pending = [root]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def exists(pid: int) -> bool:
    """True while the process runs or is an unreaped zombie."""
    return Path(f"/proc/{pid}").exists()


def wait_gone(pids: set[int] | list[int], timeout: float = 3.0) -> set[int]:
    """Wait until none of `pids` exists (reaped, not a zombie); return those still there."""
    deadline = time.monotonic() + timeout
    while True:
        left = {pid for pid in pids if exists(pid)}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.01)


def running(pid: int) -> bool:
    """True while the process runs (not once it is a zombie or gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_dead(pids: set[int], timeout: float = 3.0) -> set[int]:
    """Wait until none of `pids` runs; return those still running.

    For orphans: a process whose parent died is reaped by PID 1 (or the
    nearest subreaper), on its own schedule, so only "not running" is ours
    to check.
    """
    deadline = time.monotonic() + timeout
    while True:
        left = {pid for pid in pids if running(pid)}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.01)


def thread_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise LookupError(f"no VmRSS for {pid}")
