"""The process tree of `python -m app serve --workers N`, read from /proc.

serve (uvicorn's supervisor)
 +-- multiprocessing resource tracker
 +-- server process (uvicorn worker)        x N
      +-- fork server                        one per server process
           +-- evaluation process            AUTOGRAD_VIZ_POOL_SIZE each
                +-- layout process           at most one each (app/graphviz/process.py)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.workers.procs import cmdline, descendants, parent_of


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


@dataclass
class Tree:
    supervisor: int
    servers: list[int] = field(default_factory=list)
    forkservers: list[int] = field(default_factory=list)
    workers: list[int] = field(default_factory=list)
    layouts: list[int] = field(default_factory=list)  # each evaluation process's layout process
    others: list[int] = field(default_factory=list)  # the resource tracker
    zombies: list[int] = field(default_factory=list)

    @property
    def all(self) -> list[int]:
        return [
            self.supervisor,
            *self.servers,
            *self.forkservers,
            *self.workers,
            *self.layouts,
            *self.others,
        ]

    def rss(self, field: str = "VmRSS") -> dict[str, dict[int, int]]:
        """RSS in bytes of every process, by role (`field`: VmRSS, or RssAnon
        for its anonymous part alone: the heap, where a leak would grow,
        without the library pages a process touches for the first time)."""
        roles = {
            "supervisor": [self.supervisor],
            "servers": self.servers,
            "forkservers": self.forkservers,
            "workers": self.workers,
            "layouts": self.layouts,
        }
        return {role: {pid: _status(pid, field) for pid in pids} for role, pids in roles.items()}


def _status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise LookupError(f"no {field} for {pid}")


def tree(supervisor: int) -> Tree:
    found = Tree(supervisor)
    below = descendants(supervisor)
    for pid in sorted(below):
        if _state(pid) == "Z":
            found.zombies.append(pid)
            continue
        parent = parent_of(pid)
        if parent == supervisor and "multiprocessing.spawn" in cmdline(pid):
            found.servers.append(pid)
        elif parent in below and parent_of(parent) == supervisor:
            found.forkservers.append(pid)
        elif parent is not None and parent_of(parent) in below:
            grandparent = parent_of(parent)
            if grandparent is not None and parent_of(grandparent) == supervisor:
                found.workers.append(pid)
            elif "app.graphviz.process" in cmdline(pid):
                found.layouts.append(pid)
            else:
                found.others.append(pid)
        else:
            found.others.append(pid)
    return found


def wait_for_full_pools(supervisor: int, servers: int, pool_size: int, timeout: float) -> Tree:
    """Wait until every server process has its fork server and `pool_size`
    evaluation processes, no more and no fewer, each with at most one layout
    process, and nothing else runs below."""
    deadline = time.monotonic() + timeout
    while True:
        now = tree(supervisor)
        expected = (servers, servers, servers * pool_size)
        counts = (len(now.servers), len(now.forkservers), len(now.workers))
        strays = [pid for pid in now.others if "resource_tracker" not in cmdline(pid)]
        layout_parents = [parent_of(pid) for pid in now.layouts]
        one_each = set(layout_parents) <= set(now.workers) and len(set(layout_parents)) == len(
            layout_parents
        )
        if counts == expected and not now.zombies and not strays and one_each:
            return now
        if time.monotonic() > deadline:
            raise AssertionError(f"pools not back to size: {counts} != {expected}: {now}")
        time.sleep(0.1)
