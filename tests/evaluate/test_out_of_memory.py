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

import os
import pickle
import signal

import pytest

from app.errors import VisualizerError
from app.evaluate import evaluate
from app.parse import parse_program
from app.process_bounds import limit_address_space

PROGRAMS = {
    "tensors in a loop": "x = torch.ones(3)\nfor i in range(10**9):\n    x = x + 1",
    "a list of tensors": "l = []\nfor i in range(10**9):\n    l.append(torch.ones(200) * i)",
}
LIMITS_MIB = range(24, 120, 8)


# A process at its limit can also spin inside CPython's own error handling
# (seen once: malloc failing over and over under a `finally`); a worker that
# does is killed at the wall time, and the answer is that limit.
HANG_S = 6


def _outcome_in_a_fork(source: str, extra_mib: int) -> tuple[str, str]:
    """(code, limit) of what evaluating `source` under the limit raised, in a
    child process (the limit cannot be undone in this one)."""
    program = parse_program(source)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.close(read)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # not pytest-timeout's Python handler:
        signal.alarm(HANG_S)  # the kernel ends the process, even inside malloc
        try:
            limit_address_space(extra_mib << 20)
            try:
                evaluate(program)
                outcome = ("ok", "")
            except VisualizerError as exc:
                outcome = (exc.code, str(getattr(exc, "limit", "")))
            except BaseException as exc:
                outcome = ("escaped", type(exc).__name__)
            os.write(write, pickle.dumps(outcome))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM:
        return ("limit_exceeded", "wall_time")
    assert data, f"the child died without an answer (wait status {status})"
    outcome: tuple[str, str] = pickle.loads(data)
    return outcome


@pytest.mark.parametrize("name", PROGRAMS)
def test_running_out_of_memory_anywhere_is_the_memory_limit(name: str) -> None:
    evaluate(parse_program("x = torch.ones(3, requires_grad=True)\n(x * 2).sum()"))  # warm
    outcomes = {mib: _outcome_in_a_fork(PROGRAMS[name], mib) for mib in LIMITS_MIB}
    allowed = {("limit_exceeded", limit) for limit in ("memory_bytes", "steps", "wall_time")}
    wrong = {mib: outcome for mib, outcome in outcomes.items() if outcome not in allowed}
    assert not wrong
    assert ("limit_exceeded", "memory_bytes") in outcomes.values()
