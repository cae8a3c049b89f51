"""The function being minimised or plotted, evaluated through one Session.

An objective is either a single-expression program in one variable
(`theta*cos(4*theta) + 2*abs(theta)`), re-evaluated with the variable bound
to a new tensor, or a program that defines a function, run once and then
called. Either way every evaluation shares the Session's step and element
budgets, so the optimizer cannot take a program past its limits.

The curve of a plot is evaluated in one call over a linspace when the
function is elementwise (checked against a few point-by-point values), and
point by point otherwise (a function with `if theta > 0:` or `.item()`).
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np
import torch

from app.errors import InvalidRequest, UserRuntimeError
from app.evaluate import Session
from app.evaluate.values import UserFunction
from app.limits import Limits
from app.parse import parse_program

Tensor = torch.Tensor
PREFERRED = ("objective", "f")  # the notebook's name, and the textbook's
_TITLE_CHARS = 72


class Objective:
    """`objective(theta) -> scalar tensor`, with the names it is known by."""

    def __init__(
        self, source: str, variable: str | None, function: str | None, limits: Limits
    ) -> None:
        program = parse_program(source, limits)
        self.program = program
        self.session = Session(program, limits=limits, record=False)
        self.function: UserFunction | None = None
        if program.is_expression:
            self.variable = _expression_variable(program.free_names, variable)
            if function is not None:
                raise InvalidRequest(
                    f"'function' names a function of a program, but the source is a single "
                    f"expression in {self.variable}"
                )
            statement = program.module.body[0]
            self._node: ast.AST = statement
            self.title = _one_line(source)
            self.name: str | None = None
        else:
            self.session.run()
            self.function = self._choose(function)
            if not self.function.positional:
                raise InvalidRequest(
                    f"the function {self.function.name}() takes no argument to optimise"
                )
            self.variable = variable or self.function.params[0]
            self._node = self.function.node
            self.name = self.function.name
            self.title = f"{self.function.name}({self.variable})"

    def _choose(self, function: str | None) -> UserFunction:
        if function is not None:
            value = self.session.get(function)
            if not isinstance(value, UserFunction):
                raise InvalidRequest(f"{function!r} is not a function the program defined")
            return value
        defined = [
            node.name for node in self.program.module.body if isinstance(node, ast.FunctionDef)
        ]
        if not defined:
            raise InvalidRequest(
                "the source is neither a single expression nor a program that defines a "
                "function: write an expression in one variable, or def objective(theta): ..."
            )
        preferred = [name for name in PREFERRED if name in defined]
        value = self.session.get(preferred[0] if preferred else defined[-1])
        if not isinstance(value, UserFunction):  # rebound after its def
            raise InvalidRequest(f"{defined[-1]!r} is no longer a function when the program ends")
        return value

    # -- evaluation ---------------------------------------------------------------
    def raw(self, theta: Tensor) -> Any:
        """Whatever the objective returns for `theta` (a tensor of any shape, or a number)."""
        if self.function is None:
            return self.session.evaluate_expression(**{self.variable: theta})
        return self.session.call(self.function, theta)

    def __call__(self, theta: Tensor) -> Tensor:
        """The objective at `theta`, as a 0-dimensional floating tensor."""
        return self._scalar(self.raw(theta))

    def _scalar(self, out: Any) -> Tensor:
        if isinstance(out, bool) or not isinstance(out, Tensor | int | float):
            raise self._error(
                f"the objective must return a number or a tensor, not {type(out).__name__}"
            )
        if not isinstance(out, Tensor):
            try:
                number = float(out)
            except OverflowError:  # an int past float's range: 10**400
                raise self._error("the objective's value is too large for a float") from None
            return torch.tensor(number, dtype=torch.float32)
        if out.numel() != 1:
            raise self._error(
                f"the objective must return a single number, not a tensor of shape "
                f"{list(out.shape)} (reduce it, for example with .sum())"
            )
        scalar: Tensor = out if out.is_floating_point() else out.to(torch.float32)
        return scalar.reshape(())

    def _error(self, detail: str) -> UserRuntimeError:
        line, column = self.program.position(self._node)
        return UserRuntimeError(detail, line=line, column=column)

    @property
    def warnings(self) -> list[str]:
        found = list(self.session.warnings)
        if self.session.machine.truncated:
            found.append(f"stdout was cut at {self.session.limits.stdout_chars:,} characters")
        return found

    @property
    def stdout(self) -> str:
        return self.session.stdout

    # -- curves ---------------------------------------------------------------------
    def curve(
        self, lo: float, hi: float, points: int, derivative: bool
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any] | None]:
        """The objective (and its derivative) over `points` float32 values in [lo, hi]."""
        grid = torch.linspace(lo, hi, points, dtype=torch.float32)
        vectorised = self._vectorised(grid, derivative)
        if vectorised is not None:
            ys, dys = vectorised
            samples = sorted({0, points // 2, points - 1})
            if all(self._agrees(grid, ys, dys, i) for i in samples):
                return _numpy(grid), _numpy(ys), None if dys is None else _numpy(dys)
        ys_list: list[float] = []
        dys_list: list[float] = []
        for x in grid.tolist():
            value, grad = self.value_and_grad(x, derivative)
            ys_list.append(value)
            dys_list.append(grad)
        dys_array = np.array(dys_list, dtype=np.float64) if derivative else None
        return _numpy(grid), np.array(ys_list, dtype=np.float64), dys_array

    def value_and_grad(self, x: float, derivative: bool = True) -> tuple[float, float]:
        leaf = torch.tensor(x, dtype=torch.float32, requires_grad=derivative)
        out = self(leaf)
        grad = 0.0
        if derivative and out.requires_grad:
            backward(out, self)
            grad = 0.0 if leaf.grad is None else float(leaf.grad)
        return float(out.detach()), grad

    def _vectorised(self, grid: Tensor, derivative: bool) -> tuple[Tensor, Tensor | None] | None:
        """The objective over the whole grid in one call, or None if it is not elementwise."""
        leaf = grid.clone().requires_grad_(derivative)
        try:
            out = self.raw(leaf)
        except UserRuntimeError:
            return None  # `if theta > 0`, `.item()`, ...: not for a vector
        if (
            not isinstance(out, Tensor)
            or tuple(out.shape) != tuple(grid.shape)
            or not out.is_floating_point()
        ):
            return None
        grads = None
        if derivative:
            if out.requires_grad:
                try:
                    out.sum().backward()  # type: ignore[no-untyped-call]
                except RuntimeError:
                    return None
            grads = torch.zeros_like(grid) if leaf.grad is None else leaf.grad.detach()
        return out.detach().to(torch.float64), grads

    def _agrees(self, grid: Tensor, ys: Tensor, dys: Tensor | None, i: int) -> bool:
        value, grad = self.value_and_grad(float(grid[i]), dys is not None)
        if not _close(value, float(ys[i])):
            return False
        return dys is None or _close(grad, float(dys[i]))


def backward(out: Tensor, objective: Objective) -> None:
    """`out.backward()`, with torch's refusal (a graph already freed by the
    program's own backward, say) reported as the program's runtime error."""
    try:
        out.backward()  # type: ignore[no-untyped-call]
    except RuntimeError as error:
        raise objective._error(f"backward() through the objective failed: {error}") from None


def _close(a: float, b: float) -> bool:
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    return bool(np.isclose(a, b, rtol=1e-4, atol=1e-6))


def _numpy(t: Tensor) -> np.ndarray[Any, Any]:
    array: np.ndarray[Any, Any] = t.detach().to(torch.float64).numpy()
    return array


def _expression_variable(free: tuple[str, ...], variable: str | None) -> str:
    if variable is None:
        if len(free) != 1:
            raise InvalidRequest(
                "the expression must use exactly one free variable, or say which one is the "
                f"variable; it uses {_names(free)}"
            )
        return free[0]
    others = [name for name in free if name != variable]
    if others:
        raise InvalidRequest(
            f"the objective may use one variable, {variable}; it also uses {_names(others)}"
        )
    if variable not in free:
        raise InvalidRequest(f"the expression does not use the variable {variable}")
    return variable


def _names(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(names) if names else "none"


def _one_line(source: str) -> str:
    text = " ".join(source.split())
    return text if len(text) <= _TITLE_CHARS else text[: _TITLE_CHARS - 1] + "…"
