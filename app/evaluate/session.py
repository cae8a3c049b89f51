"""One evaluation of one program: inputs in, an Evaluation out.

A `Session` binds the inputs, runs the program, and assembles the
Evaluation: the output (by SPEC.md's rule), the automatic backward pass,
names, spans, gradients and the backward trace. It also lets a caller (the
optimizer) call the program's functions again, or re-evaluate an
expression program with other values, within the same step and element
budgets. Every public method raises only VisualizerError subclasses.
"""

from __future__ import annotations

import ast
import contextlib
import keyword
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import torch

from app.errors import InvalidRequest, UserRuntimeError, VisualizerError
from app.evaluate import data as _data  # noqa: F401 (registers the data loaders' kinds)
from app.evaluate import optim as _optim  # noqa: F401 (registers optimizers' kinds)
from app.evaluate.backward import reachable
from app.evaluate.failures import clean_message, convert, out_of_memory
from app.evaluate.figures import drawn_figures, is_drawing
from app.evaluate.interpreter import Interpreter
from app.evaluate.kept import keepings
from app.evaluate.modules import name_parameters
from app.evaluate.namespaces import PREDEFINED
from app.evaluate.result import Evaluation, MakeDotCall
from app.evaluate.values import MISSING, UserFunction
from app.job import InputValue
from app.limits import DEFAULT_LIMITS, Limits
from app.parse import Program
from app.process_bounds import allocation_failed

Tensor = torch.Tensor

# torch's "warn once" warnings would appear in the first answer of a process
# and not in later ones: the same request must give the same answer.
torch.set_warn_always(True)


class Session:
    """Run a checked program; see the package docstring for the API."""

    def __init__(
        self,
        program: Program,
        inputs: Mapping[str, InputValue | Tensor] | None = None,
        limits: Limits = DEFAULT_LIMITS,
        *,
        record: bool = True,
    ) -> None:
        self.program = program
        self.limits = limits
        self.machine = Interpreter(program, limits, PREDEFINED)
        self.machine.record = record
        self.warnings: list[str] = []
        self._final: Any = MISSING
        self._active = False
        self._caught: list[warnings.WarningMessage] = []
        for name, value in (inputs or {}).items():
            if program.is_expression and name not in program.free_names:
                continue
            self.bind(name, value)

    # -- inputs ---------------------------------------------------------------
    def bind(self, name: str, value: InputValue | Tensor) -> Tensor:
        """Bind an input: a number or nested list becomes a float32 leaf that requires grad."""
        if (
            not isinstance(name, str)
            or not name.isidentifier()
            or keyword.iskeyword(name)
            or name.startswith("_")
        ):
            raise InvalidRequest(f"{name!r} is not a valid input name")
        tensor = self._as_tensor(name, value)
        machine = self.machine
        machine.globals.vars[name] = tensor
        if machine.record:
            machine.tracker.name(name, tensor)
            node = self.first_read(name)
            if node is not None:
                machine.tracker.origin_at(tensor, node)
        return tensor

    def _as_tensor(self, name: str, value: Any) -> Tensor:
        guard = self.machine.guard
        if isinstance(value, Tensor):
            guard.check_numel(value.numel())
            return value
        if isinstance(value, bool):  # an int to Python, not a number to the API
            raise InvalidRequest(f"input {name!r} must be a number, not {value}")
        if isinstance(value, int | float):
            try:
                number = float(value)
            except OverflowError:
                raise InvalidRequest(f"input {name!r} is too large for a float") from None
            tensor = torch.tensor(number, dtype=torch.float32, requires_grad=True)
        elif isinstance(value, list):
            guard.check_numel(guard.data_elements(value))
            try:
                tensor = torch.tensor(value, dtype=torch.float32).requires_grad_(True)
            except (TypeError, ValueError, RuntimeError, OverflowError):
                raise InvalidRequest(
                    f"input {name!r} must be a number or a rectangular nested list of numbers"
                ) from None
        else:
            raise InvalidRequest(f"input {name!r} must be a number or a nested list of numbers")
        guard.count(tensor)
        return tensor

    def first_read(self, name: str) -> ast.Name | None:
        return self.program.first_reads.get(name)

    # -- running ----------------------------------------------------------------
    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Grad mode on, warnings captured, and nothing but our errors out.

        Every public method enters it; entering it around several calls
        (as `evaluate` does) pays for it once."""
        if self._active:
            yield
            return
        self._active = True
        with warnings.catch_warnings(record=True) as caught, torch.enable_grad():
            warnings.simplefilter("always")
            self._caught = caught
            try:
                yield
            except VisualizerError:
                raise
            except Exception as error:
                raise convert(error, self.limits, 1, 1) from None
            finally:
                self._active = False
                self._collect()

    def _collect(self) -> None:
        """Move the warnings caught so far into `self.warnings`, once each."""
        for item in self._caught:
            message = clean_message(Exception(item.message))
            if message not in self.warnings:
                self.warnings.append(message)
        self._caught.clear()

    def run(self) -> Any:
        """Run the program's statements; return the final expression's value (or None)."""
        program = self.program
        if program.is_expression:
            for name in program.free_names:
                if name not in self.machine.globals.vars:
                    node = self.first_read(name)
                    line, column = program.position(node) if node else (1, 1)
                    raise UserRuntimeError(
                        f"{name} has no value: give it as an input (for example {name}=1)",
                        line=line,
                        column=column,
                    )
        with self.running():
            self._final = self.machine.run_module()
        return None if self._final is MISSING else self._final

    def get(self, name: str) -> Any:
        """A global of the program (MISSING-safe: raises InvalidRequest if undefined)."""
        value = self.machine.globals.vars.get(name, MISSING)
        if value is MISSING:
            raise InvalidRequest(f"the program defines no variable {name!r}")
        return value

    def call(self, function: str | UserFunction, *args: Any, **kwargs: Any) -> Any:
        """Call a function the program defined (by name or value) with Python values
        or tensors; it runs under the same limits and step count as the program."""
        target = self.get(function) if isinstance(function, str) else function
        if not isinstance(target, UserFunction):
            raise InvalidRequest(f"{function!r} is not a function the program defined")
        machine = self.machine
        with self.running():
            try:
                return machine.call(target, list(args), kwargs, target.node)
            except VisualizerError:
                raise
            except Exception as error:
                raise machine.fail(error, target.node) from None

    def evaluate_expression(self, **bindings: Any) -> Any:
        """Evaluate an expression program again with names bound to new values."""
        if not self.program.is_expression:
            raise InvalidRequest("the program is not a single expression")
        statement = self.program.module.body[0]
        assert isinstance(statement, ast.Expr)
        machine = self.machine
        for name, value in bindings.items():
            if isinstance(value, Tensor):
                machine.globals.vars[name] = value
            else:
                self.bind(name, value)
        with self.running():
            return machine.evaluate(statement.value, statement)

    # -- the answer -------------------------------------------------------------
    def _output(self, output: str | None) -> tuple[Any, str | None]:
        if output is not None:
            return self.get(output), output
        drawn = self.machine.made_dot
        if drawn is not None:  # as the notebook's cells end in make_dot(y)
            return drawn.output, drawn.name
        final = self._final
        if final is not MISSING and final is not None and not is_drawing(final):
            statement = self.program.module.body[-1]
            assert isinstance(statement, ast.Expr)
            return final, _expression_name(statement.value)
        name = self.machine.last_assigned
        if name is not None:
            value = self.machine.globals.vars.get(name, MISSING)
            if value is not MISSING:
                return value, name
        return None, None

    def _auto_backward(self, value: Any) -> None:
        machine = self.machine
        if not isinstance(value, Tensor) or not value.requires_grad or machine.backward.called:
            return
        root = value
        if value.numel() != 1:
            root = value.sum()
            self.warnings.append(
                f"the output has shape {list(value.shape)}, not a scalar: "
                "gradients are those of output.sum()"
            )
        try:
            machine.backward.run(
                [root],
                None,
                lambda: root.backward(retain_graph=True),  # type: ignore[no-untyped-call]
            )
        except VisualizerError:
            raise
        except Exception as error:
            if allocation_failed(error):
                # The memory limit, not a warning: an answer without gradients
                # would be the machine's (what the process held), and cached.
                raise out_of_memory(self.limits, None, None) from None
            self.warnings.append(f"gradients were not computed: {clean_message(error)}")

    def finish(self, output: str | None = None) -> Evaluation:
        """Select the output, run the automatic backward pass, assemble the answer."""
        machine = self.machine
        tracker = machine.tracker
        with self.running():
            value, name = self._output(output)
            parameters = name_parameters(machine)
            tracker.follow_all()
            self._auto_backward(value)
            graph = reachable(value.grad_fn) if isinstance(value, Tensor) else set()
            gradients: dict[str, Tensor | None] = {}
            listed: set[int] = set()
            tensor_names, named_tensors = tracker.final_names()
            for key, tensor in named_tensors.items():
                # A tensor under its first name only: `b = a` or a function's
                # parameter is another name for a tensor already listed.
                if id(tensor) in listed:
                    continue
                listed.add(id(tensor))
                if tensor.grad_fn is None:
                    if tensor.requires_grad:
                        gradients[key] = tensor.grad
                elif tensor.grad_fn in graph and tensor is not value:
                    gradients[key] = tracker.intermediate_grads.get(id(tensor))
            trace = machine.backward.select(value)
            named = {k: named_tensors[k] for k in gradients if k in named_tensors}
            keeping = keepings(
                named, machine.globals.vars, tracker.tensor_origins, tracker.node_origins
            )
            self._collect()
        if machine.truncated:
            self.warnings.append(f"stdout was cut at {self.limits.stdout_chars:,} characters")
        # The program's make_dot call, when it drew this output: its names and flags.
        drew = machine.made_dot if machine.made_dot and machine.made_dot.output is value else None
        return Evaluation(
            output=value,
            output_name=name,
            stdout="".join(machine.stdout),
            warnings=list(self.warnings),
            tensor_names=tensor_names,
            named_tensors=named_tensors,
            node_origins=tracker.node_origins,
            op_outputs=tracker.op_outputs,
            tensor_origins=tracker.tensor_origins,
            intermediate_grads=tracker.intermediate_grads,
            backward=trace,
            gradients=gradients,
            parameters=parameters,
            make_dot_params=None if drew is None else _make_dot_params(drew),
            make_dot_shows=(False, False) if drew is None else (drew.show_saved, drew.show_attrs),
            figures=drawn_figures(machine),
            keeping=keeping,
            keep=[*tracker.keep, value, list(machine.backward.traces)],
        )

    @property
    def steps(self) -> int:
        """Steps used so far (loop iterations and calls)."""
        return self.machine.guard.steps

    @property
    def stdout(self) -> str:
        return "".join(self.machine.stdout)


def _make_dot_params(drew: MakeDotCall) -> dict[str, Tensor] | None:
    """The names the program's make_dot call gives its params, if it gave any."""
    if drew.params is None:
        return None
    return {str(name): tensor for name, tensor in drew.params.items()}


def _expression_name(node: ast.expr) -> str | None:
    """The name an output expression is known by: `y`, or `make_dot(y, ...)`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name):
        func = node.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if called == "make_dot":
            return node.args[0].id
    return None
