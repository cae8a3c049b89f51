"""The evaluate stage: a checked program run with real torch (SPEC.md section 1).

Public API:

    evaluate(program, inputs=None, output=None, limits=DEFAULT_LIMITS) -> Evaluation
    run_source(source, inputs=None, output=None, limits=DEFAULT_LIMITS) -> Evaluation
    Session(program, inputs=None, limits=DEFAULT_LIMITS, *, record=True)
        .run() -> value of the final expression statement (or None)
        .finish(output=None) -> Evaluation
        .call(name_or_function, *args, **kwargs) -> value
        .evaluate_expression(**bindings) -> value   (single-expression programs)
        .bind(name, value) -> tensor                 (an input, as a float32 leaf)
        .get(name) -> a global of the program
        .steps, .stdout, .warnings

`evaluate` is `Session(...).run()` then `.finish(output)`. The optimizer
uses a Session directly: `run()` once (defines the functions), then
`call("objective", theta)` or `evaluate_expression(x=theta)` per step; every
call shares the session's step and element budgets, so a program cannot
escape its limits through the optimizer. Pass `record=False` when the
graph is not needed: names, spans and intermediate gradients are then not
recorded (and not kept alive).

Everything raised is a VisualizerError: SourceSyntaxError / NotAllowed /
UserRuntimeError (torch's own errors, with the line and column of the
innermost statement or expression) / LimitExceeded / InvalidRequest.
Wall time and memory are bounded from outside (a worker process): this
stage is a plain function.

Module map: interpreter.py puts together statements.py, expressions.py
and calls.py (with operators.py, attributes.py, builtins.py) over the
state in machine.py (scopes in scope.py, steps, stdout); guards.py (element,
int, sequence and format limits, checked before the work) with sizes.py
(exact result sizes of factories and growing operations), valuesizes.py
(sizes read from the values) and metashape.py (sizes told by torch on meta
tensors); tracking.py
(names, spans, loop iterations, intermediate gradients); backward.py
(backward traces, reachability); namespaces.py and values.py (the allowlist
as runtime values); failures.py (exception conversion); session.py
(inputs, output selection, the automatic backward, the Evaluation).
Values of libraries and the program's own (kinds.py): classes.py,
functions.py (custom autograd Functions), devices.py (torch.device, the
cpu as a no-op, conversions), hooks.py (tensor hooks), transforms.py
(torch.func, torch.autograd.functional), strings.py (str methods, format,
%), pyrandom.py (`import random`); torch calls the program back through
callbacks.py; printed addresses are addresses.py's. torch.nn: modules.py,
module_calls.py and layer_sizes.py; torch.optim: optim.py; torch.utils.data:
data.py.
NumPy: arrays.py (ndarrays, NumPy scalars, scalar types and dtypes as value
kinds), array_calls.py (np, np.linalg, np.random and Generators),
array_args.py (arguments checked, results bounded and counted),
array_data.py, array_sizes.py and array_products.py (size rules),
array_ops.py (operators), array_text.py
(the length of NumPy's text).
A program's matplotlib figures: figures.py (pyplot's state per program,
`plt`'s calls) with figure_draw.py and figure_layout.py (the Axes and
Figure calls), figure_args.py, figure_options.py and figure_text.py (their
arguments, checked and bounded first) and figure_kinds.py (the Figures,
Axes and grids a program holds).

Process-wide effects: `torch.set_warn_always(True)` at import (torch's
warn-once warnings would otherwise appear in the first answer of a process
only), forward-mode AD's decompositions loaded at import (their first use
warns), and the default CPU generator (and NumPy's global random state) is
seeded with 0 before a program's first random draw (Python's `random` is a
generator of each program's own). Warnings are captured with `warnings.catch_warnings`, which is not
thread-safe: evaluate in one thread per process (the worker pool does).
"""

from __future__ import annotations

from collections.abc import Mapping

from app.evaluate.result import Evaluation
from app.evaluate.session import Session
from app.job import InputValue
from app.limits import DEFAULT_LIMITS, Limits
from app.parse import Program, parse_program

__all__ = ["Evaluation", "Session", "evaluate", "run_source"]


def evaluate(
    program: Program,
    inputs: Mapping[str, InputValue] | None = None,
    output: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Evaluation:
    """Run a checked program and return everything the graph stage needs."""
    session = Session(program, inputs, limits)
    with session.running():
        session.run()
        return session.finish(output)


def run_source(
    source: str,
    inputs: Mapping[str, InputValue] | None = None,
    output: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Evaluation:
    """Parse and evaluate in one call."""
    return evaluate(parse_program(source, limits), inputs, output, limits)
