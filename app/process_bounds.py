"""How a process of ours bounds itself from the inside (Linux).

The fork server and its evaluation processes (app.workers) and the layout
process (app.graphviz.process) each die with the process that started them,
so a killed server leaves nothing behind, and cap their own address space
above what they map once warm, so that an allocation past it fails in there
instead of waking the kernel's OOM killer. An evaluation process also
measures what a request left behind (`anonymous_bytes`, after
`release_free_memory`), to be retired when that is too much (app.workers.child).

Standard library only: the layout process imports nothing else of the app.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> bool:
    """Have the kernel SIGKILL this process when its parent exits. False if
    the parent, `parent`, is gone already (it died before prctl took effect)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the end of our pipe or socket still ends us
        return True
    return os.getppid() == parent


def limit_address_space(extra: int) -> None:
    """RLIMIT_AS = what is mapped now (torch, Graphviz, warmed caches) + `extra`
    bytes, never above the hard limit."""
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def anonymous_bytes() -> int:
    """Resident memory that is not a mapped file: the heap, torch's tensors,
    Python's objects (statm's resident less shared; a read of one short line)."""
    with open("/proc/self/statm") as statm:
        _, resident, shared = statm.read().split()[:3]
    return (int(resident) - int(shared)) * os.sysconf("SC_PAGE_SIZE")


def release_free_memory() -> None:
    """Give freed heap pages back to the system (glibc's malloc_trim), so that
    what stays resident is what is still in use: after a program that made
    and dropped large tensors glibc keeps tens of MiB it would reuse."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


_M_MMAP_THRESHOLD = -3


def return_large_buffers(threshold: int = 256 << 10) -> None:
    """Give every allocation of `threshold` bytes or more a mapping of its own,
    returned to the system when freed (glibc's M_MMAP_THRESHOLD, fixed).

    glibc raises that threshold after each large free, up to 32 MiB: the
    answers a server process passes on (up to AUTOGRAD_VIZ_ANSWER_MB each),
    dozens at once under load, then come from its heap and stay there at
    their peak (a burst of 40 four-MiB answers left a server at 72 MiB
    instead of 61). Not for a process that runs torch: its tensors would pay
    a mapping each (40% slower for a loop of 4 MB tensors)."""
    try:
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, threshold)
    except (OSError, AttributeError):  # not glibc
        pass
