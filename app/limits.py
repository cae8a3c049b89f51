"""Resource limits of one evaluation, with their defaults (SPEC.md section 1).

The core checks the first group itself, before the work they bound is done;
the last two are enforced from outside, by the worker pool, because no code
inside a process can reliably stop itself (a Graphviz layout holds the GIL).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    source_chars: int = 20_000
    nesting_depth: int = 50
    steps: int = 100_000  # loop iterations and calls together
    call_depth: int = 64  # user-defined function recursion
    tensor_elements: int = 1_000_000  # in any one tensor
    total_elements: int = 20_000_000  # created across one program
    int_bits: int = 4_096  # bit length of any integer result
    sequence_length: int = 100_000  # items of a list, tuple or string
    stdout_chars: int = 100_000
    graph_nodes: int = 5_000  # nodes the renderer will lay out
    render_time_s: float = 2.0  # layout of a big graph (app.render.layout), seconds
    figures: int = 8  # matplotlib figures a program makes (app.evaluate.figures)
    figure_points: int = 100_000  # data points drawn in one figure
    answer_bytes: int = 8 << 20  # one answer's body (app.budget), bytes
    # Enforced by the worker pool (app.workers), not by the core:
    wall_time_s: float = 3.0
    memory_bytes: int = 1 << 30


DEFAULT_LIMITS = Limits()

# Limits (LimitExceeded.limit) whose outcome depends on the machine, not on the
# request alone: time (the load decides how far a program gets, and the render
# time-out is also bounded by what is left of the wall time) and memory (what
# the evaluation process already holds decides where its address space ends).
# Answers shaped by them are never cached (app.service, app.pipeline).
MACHINE_LIMITS = frozenset({"wall_time", "render_time", "memory_bytes"})
