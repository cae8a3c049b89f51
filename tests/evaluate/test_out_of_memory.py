"""A program that runs out of memory is told so, wherever the allocation fails.

Run at every address-space limit over a range, the same program fails in
different places: Python's MemoryError, torch's "can't allocate memory", a
bare std::bad_alloc, or a message torch could not finish building. Each must
be the named limit (memory_bytes), never a runtime error the program could
catch: the load test met "runtime_error: RuntimeError" for a loop of small
tensors in a process that earlier requests had left with less room.

Not held here: a long autograd chain at the edge of memory can still end its
process (SIGSEGV, or std::bad_alloc thrown where torch does not catch it),
depending on where the heap runs out. In the server that is a worker crash:
503 with Retry-After, and the worker is replaced (tests/workers).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.evaluate.memory_edge import PROGRAMS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def outcomes() -> dict[str, dict[str, list[str]]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.evaluate.memory_edge"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize("name", PROGRAMS)
def test_running_out_of_memory_anywhere_is_the_memory_limit(
    name: str, outcomes: dict[str, dict[str, list[str]]]
) -> None:
    found = {mib: tuple(outcome) for mib, outcome in outcomes[name].items()}
    allowed = {("limit_exceeded", limit) for limit in ("memory_bytes", "steps", "wall_time")}
    wrong = {mib: outcome for mib, outcome in found.items() if outcome not in allowed}
    assert not wrong
    assert ("limit_exceeded", "memory_bytes") in found.values()
