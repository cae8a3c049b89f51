"""app.process_bounds: what counts as a failed allocation, and the stack grown before the cap."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from app.process_bounds import allocation_failed

ROOT = Path(__file__).resolve().parents[1]


class Unprintable(RuntimeError):
    def __str__(self) -> str:
        raise MemoryError


@pytest.mark.parametrize(
    "exc",
    [
        MemoryError(),
        RuntimeError(
            "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: "
            "can't allocate memory: you tried to allocate 800000000 bytes."
        ),
        RuntimeError("std::bad_alloc"),
        RuntimeError("[enforce fail a"),  # cut short: building it ran out of memory too
        Unprintable(),
    ],
)
def test_failed_allocations(exc: BaseException) -> None:
    assert allocation_failed(exc)


def test_the_programs_own_errors_are_not_failed_allocations() -> None:
    with pytest.raises(RuntimeError) as shapes:
        torch.ones(2, 3) @ torch.ones(2, 3)
    assert not allocation_failed(shapes.value)
    assert not allocation_failed(RuntimeError("[enforce fail at conv.cpp:12] groups > 0"))
    assert not allocation_failed(ValueError("bad_alloc"))


def test_the_stack_is_grown_to_its_limit_and_its_pages_given_back() -> None:
    # In a fresh process: this one's stack may be grown already.
    code = (
        "from app.process_bounds import reserve_stack\n"
        "size = reserve_stack()\n"
        "maps = open('/proc/self/smaps').read().split('\\n')\n"
        "at = next(i for i, l in enumerate(maps) if l.endswith('[stack]'))\n"
        "rss = next(int(l.split()[1]) for l in maps[at:] if l.startswith('Rss:'))\n"
        "print(size, rss << 10)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    size, resident = map(int, out.stdout.split())
    soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
    limit = 16 << 20 if soft == resource.RLIM_INFINITY else soft
    assert limit - (2 << 20) <= size <= limit
    assert resident <= 2 << 20
