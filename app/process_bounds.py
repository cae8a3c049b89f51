"""How a process of ours bounds itself from the inside (Linux).

The fork server and its evaluation processes (app.workers) and the layout
process (app.graphviz.process) each die with the process that started them,
so a killed server leaves nothing behind, and cap their own address space
above what they map once warm, so that an allocation past it fails in there
instead of waking the kernel's OOM killer. An evaluation process also
measures what a request left behind (`footprint`: anonymous memory and
address space, after `release_free_memory`), to be retired when that
is too much (app.workers.child), and gives its large buffers mappings of
their own (`return_large_buffers`), so that what a program freed is not
left as address space.

Standard library only: the layout process imports nothing else of the app.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from typing import Any

# How torch (and the C++ libraries under it) say an allocation failed once
# RLIMIT_AS is reached: a RuntimeError, not MemoryError, whose text depends
# on where it failed (found by running a program at every limit from 40 to
# 130 MiB): c10's allocator ("can't allocate memory"; "not enough memory"
# elsewhere), a bare std::bad_alloc, or a CAFFE_ENFORCE message cut short
# because building it ran out of memory too ("[enforce fail a", without the
# "]" that closes the place it names; a whole enforce message about anything
# else is the program's error).
_ALLOCATION_FAILED = ("can't allocate memory", "not enough memory", "bad_alloc", "alloc_cpu")
_ENFORCE = "[enforce fail"

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


def allocation_failed(exc: BaseException) -> bool:
    """Whether `exc` is a failed allocation: MemoryError, torch's RuntimeError
    for one, or any RuntimeError whose text cannot even be built."""
    if isinstance(exc, MemoryError):
        return True
    if not isinstance(exc, RuntimeError):
        return False
    try:
        text = str(exc)
    except MemoryError:
        return True
    if text.startswith(_ENFORCE) and "]" not in text:
        return True
    return any(sign in text for sign in _ALLOCATION_FAILED)


def limit_address_space(extra: int) -> None:
    """RLIMIT_AS = what is mapped now (torch, Graphviz, warmed caches) + `extra`
    bytes, never above the hard limit. The stack is grown to its own limit
    first (`reserve_stack`): growing it later needs address space too, and a
    stack that cannot grow is a SIGSEGV, not a MemoryError."""
    reserve_stack()
    _, mapped = footprint()
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


# The stack is grown to RLIMIT_STACK less this (its live top, and room for
# the kernel's own rounding); at most this much with an unlimited RLIMIT_STACK.
_STACK_MARGIN = 1 << 20
_STACK_UNLIMITED = 16 << 20
_MADV_DONTNEED = 4


def reserve_stack() -> int:
    """Grow the main thread's stack mapping to (nearly) its limit, then give
    its pages back, keeping the mapping; returns the mapping's size.

    Found by running programs at every memory limit: one that leaves its
    process at the limit, then recurses a little deeper than before (torch
    freeing a long autograd chain, Python's collector) crashed it with
    SIGSEGV or an uncaught std::bad_alloc, because the kernel grows the stack
    mapping on demand and counts it against RLIMIT_AS. Grown in advance, the
    mapping is already counted in what `limit_address_space` measures.
    Recursing in C is the only way Python has to grow it: comparing nested
    lists goes one C frame deeper per level (about 170 bytes; measured
    first, so that the probe stays short of the limit itself)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
    limit = _STACK_UNLIMITED if soft == resource.RLIM_INFINITY else soft
    target = limit - _STACK_MARGIN
    size = _stack_size()
    if size is None or size >= target:
        return size or 0
    # Bytes of stack per level, from two probes past what is mapped now.
    first, second = 4_000, 8_000
    _recurse(first)
    low = _stack_size() or 0
    _recurse(second)
    high = _stack_size() or 0
    per_level = max((high - low) / (second - first), 64.0)
    depth = second + int((target - high) / per_level * 0.9)
    if depth > second:
        _recurse(depth)
    mapping = _stack_mapping()
    if mapping is not None:  # the pages below the live top: no longer resident
        start, end = mapping
        length = end - _STACK_MARGIN - start
        if length > 0:
            try:
                libc = ctypes.CDLL(None)
                libc.madvise(ctypes.c_void_p(start), ctypes.c_size_t(length), _MADV_DONTNEED)
            except (OSError, AttributeError):
                pass
    return _stack_size() or 0


def _recurse(depth: int) -> None:
    one: list[Any] = []
    other: list[Any] = []
    for _ in range(depth):
        one, other = [one], [other]
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + old)
    try:
        _ = one == other  # two lists, not one: comparing a list with itself stops at once
    except RecursionError:  # a build that counts levels differently: as deep as it went
        pass
    finally:
        sys.setrecursionlimit(old)
        while one:  # taken apart level by level: freeing them whole would recurse too
            one, other = one[0], other[0]


def _stack_mapping() -> tuple[int, int] | None:
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                if line.rstrip().endswith("[stack]"):
                    start, end = line.split()[0].split("-")
                    return int(start, 16), int(end, 16)
    except OSError:
        pass
    return None


def _stack_size() -> int | None:
    mapping = _stack_mapping()
    return None if mapping is None else mapping[1] - mapping[0]


def footprint() -> tuple[int, int]:
    """(anonymous, address space) in bytes, from one read of /proc/self/statm
    (one short line).

    Anonymous: resident memory that is not a mapped file (the heap, torch's
    tensors, Python's objects): statm's resident less shared. Address space:
    every byte mapped, resident or not (VmSize, statm's first field), what
    RLIMIT_AS counts; heap that `release_free_memory` gave back as pages is
    still address space while anything above it in the heap is in use."""
    with open("/proc/self/statm") as statm:
        size, resident, shared = (int(field) for field in statm.read().split()[:3])
    page = os.sysconf("SC_PAGE_SIZE")
    return (resident - shared) * page, size * page


def release_free_memory() -> None:
    """Give freed heap pages back to the system (glibc's malloc_trim), so that
    what stays resident is what is still in use: after a program that made
    and dropped large tensors glibc keeps tens of MiB it would reuse."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


_M_MMAP_THRESHOLD = -3
# The threshold of an evaluation process: tensors of 256 K float32 elements
# and more. Programs of the lessons make none; below it, heap.
WORKER_LARGE_BUFFERS = 1 << 20


def return_large_buffers(threshold: int = 256 << 10) -> None:
    """Give every allocation of `threshold` bytes or more a mapping of its own,
    returned to the system when freed (glibc's M_MMAP_THRESHOLD, fixed).

    glibc raises that threshold after each large free, up to 32 MiB, and
    large buffers then come from its heap, which can give back its pages
    but not its address space while anything above them is in use:
    - the answers a server process passes on (up to AUTOGRAD_VIZ_ANSWER_MB
      each), dozens at once under load, stay in its heap at their peak (a
      burst of 40 four-MiB answers left a server at 72 MiB instead of 61);
    - in an evaluation process (WORKER_LARGE_BUFFERS) a program's tensors
      left 140 MB of heap address space per run (ten sines of a 1000 x 1000
      float64 tensor), which the next program met under RLIMIT_AS.
    A tensor that has a mapping of its own pays for its page faults each
    time (a sine of a 4 MB tensor: 1.4 ms instead of 0.4); the element
    limits bound how many such bytes one program makes."""
    try:
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, threshold)
    except (OSError, AttributeError):  # not glibc
        pass
