"""The interpreter's state and the helpers every part of it uses.

The interpreter is split by concern (statements, expressions, calls,
operators); each part is a mixin over `Machine`, which holds the state of
one run: the program, the limits and their counters, the scopes, what is
tracked for the graph, captured stdout. `Interpreter`
(app.evaluate.interpreter) puts the parts together.
"""

from __future__ import annotations

import ast
import random
from collections.abc import Callable, Iterator
from typing import Any

import torch

from app.errors import LimitExceeded, VisualizerError
from app.evaluate.addresses import Addresses
from app.evaluate.backward import Backward
from app.evaluate.failures import convert
from app.evaluate.guards import Guard
from app.evaluate.result import MakeDotCall
from app.evaluate.scope import Scope
from app.evaluate.tracking import Tracker
from app.limits import Limits
from app.parse import Program

Tensor = torch.Tensor


class Signal:
    """How a statement leaves its block early: break, continue or return."""

    __slots__ = ("value",)

    def __init__(self, value: Any = None) -> None:
        self.value = value


BREAK = Signal()
CONTINUE = Signal()


class Machine:
    program: Program
    limits: Limits
    guard: Guard
    tracker: Tracker
    backward: Backward
    globals: Scope
    scope: Scope
    predefined: dict[str, Any]
    # Handlers by node class, plain functions taking (interpreter, node):
    # class-level tables, built once (app.evaluate.interpreter).
    _expr: dict[type, Callable[[Any, Any], Any]]
    _stmt: dict[type, Callable[[Any, Any], Signal | None]]

    def __init__(self, program: Program, limits: Limits, predefined: dict[str, Any]) -> None:
        self.program = program
        self.limits = limits
        self.guard = Guard(limits)
        self.tracker = Tracker(program)
        self.backward = Backward()
        self.predefined = predefined
        self.globals = Scope({})
        self.scope = self.globals
        self.depth = 0
        self.seeded = False
        # NumPy's random state (app.evaluate.array_calls): seeded before the
        # first draw, and how many generators default_rng() made without a seed.
        self.numpy_seeded = False
        self.rngs_made = 0
        self.within: list[str] = []  # qualified names of the functions running
        # A program's autograd Functions as torch classes (app.evaluate.functions).
        self.functions: dict[int, Any] = {}
        self.python_random: random.Random | None = None  # `import random`'s (app.evaluate.pyrandom)
        self.record = True
        self.last_assigned: str | None = None
        self.made_dot: MakeDotCall | None = None  # the program's last make_dot(...)
        self.stdout: list[str] = []
        self.stdout_len = 0
        self.truncated = False
        self.grad_fn_views: dict[Any, Any] = {}  # autograd node -> its GradFn wrapper
        self.addresses = Addresses()  # printed addresses, the same on every run
        # What a library's own module of app.evaluate keeps for one run, by library.
        self.library_state: dict[str, Any] = {}
        # The error that ended the program inside a callback (app.evaluate.callbacks):
        # whatever torch makes of it on the way out, this is what the program ends with.
        self.stopped: VisualizerError | None = None

    # -- positions and errors -----------------------------------------------
    def position(self, node: ast.AST) -> tuple[int, int]:
        return self.program.position(node)

    def fail(self, exc: BaseException, node: ast.AST) -> VisualizerError:
        """The VisualizerError a raw exception raised at `node` becomes."""
        if self.stopped is not None:
            return self.stopped
        if isinstance(exc, VisualizerError):
            return exc
        line, column = self.position(node)
        return convert(exc, self.limits, line, column)

    def locate(self, error: VisualizerError, node: ast.AST) -> VisualizerError:
        """Give a limit raised by a guard (which knows no place) the innermost place."""
        if self.stopped is not None:
            error = self.stopped
        if error.line is None:
            error.line, error.column = self.position(node)
        return error

    def step(self, node: ast.AST) -> None:
        if self.stopped is not None:  # torch swallowed the error that ended the program
            raise self.stopped
        guard = self.guard
        guard.steps += 1
        if guard.steps > guard.max_steps:
            line, column = self.position(node)
            raise LimitExceeded(
                "steps",
                guard.max_steps,
                f"the program ran more than {guard.max_steps:,} steps (loop iterations and calls)",
                line=line,
                column=column,
            )

    # -- state changes --------------------------------------------------------
    def assign(self, name: str, value: Any) -> None:
        self.scope.vars[name] = value
        if self.record:
            if isinstance(value, Tensor):
                self.tracker.name(name, value)
            elif isinstance(value, torch.nn.Module) and self.scope is self.globals:
                # The variable that holds the model, not a method's `self`.
                self.tracker.name_module(name, value)

    def made(self, value: Any, node: ast.AST) -> Any:
        """Count and stamp the tensor(s) an operation at `node` just made."""
        self.guard.count(value)
        if self.record:
            self.tracker.note(value, node)
        return value

    def seed(self) -> None:
        # Seeded lazily, before the first draw: torch.manual_seed costs ~100 us,
        # the generator's own manual_seed ~1 us.
        if not self.seeded:
            torch.default_generator.manual_seed(0)
            self.seeded = True

    def write(self, text: str) -> None:
        room = self.limits.stdout_chars - self.stdout_len
        if room <= 0:
            self.truncated = self.truncated or bool(text)
            return
        if len(text) > room:
            text = text[:room]
            self.truncated = True
        self.stdout.append(text)
        self.stdout_len += len(text)

    # -- provided by the parts ----------------------------------------------
    def ev(self, node: ast.expr) -> Any:
        return self._expr[node.__class__](self, node)

    def exec_block(self, body: list[ast.stmt]) -> Signal | None:
        raise NotImplementedError

    def call(self, func: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        raise NotImplementedError

    def call_method(
        self, receiver: Any, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        raise NotImplementedError

    def bind_target(self, target: ast.expr, value: Any) -> None:
        raise NotImplementedError

    def iterate(self, value: Any, node: ast.AST) -> Iterator[Any]:
        raise NotImplementedError

    def truth(self, value: Any, node: ast.AST) -> bool:
        raise NotImplementedError

    def get_item(self, value: Any, index: Any, node: ast.AST) -> Any:
        raise NotImplementedError
