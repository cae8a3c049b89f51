"""Run each of PROGRAMS at each of LIMITS_MIB in a fork of a fresh process;
print the outcomes as JSON (tests/evaluate/test_out_of_memory.py).

A fresh process, not the test's: RLIMIT_AS is set above what a process has
mapped, and a test process that has run hundreds of tests has a heap with
room to spare inside its mappings, so its limit would never be reached.
"""

from __future__ import annotations

import json
import os
import signal

from app.errors import VisualizerError
from app.evaluate import evaluate
from app.parse import parse_program
from tests.limited_fork import in_a_limited_fork

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
    """(code, limit) of what evaluating `source` under the limit raised."""
    program = parse_program(source)

    def work() -> list[str]:
        try:
            evaluate(program)
            return ["ok", ""]
        except VisualizerError as exc:
            return [exc.code, str(getattr(exc, "limit", ""))]

    outcome, status = in_a_limited_fork(work, extra_mib << 20, HANG_S)
    if outcome is None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM:
        return ("limit_exceeded", "wall_time")
    if outcome is None:  # a crash: the test names it
        return ("died", f"wait status {status}")
    code, limit = outcome
    return (code, limit)


def main() -> None:
    evaluate(parse_program("x = torch.ones(3, requires_grad=True)\n(x * 2).sum()"))  # warm
    outcomes = {
        name: {mib: _outcome_in_a_fork(source, mib) for mib in LIMITS_MIB}
        for name, source in PROGRAMS.items()
    }
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main()
