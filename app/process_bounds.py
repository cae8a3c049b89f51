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
