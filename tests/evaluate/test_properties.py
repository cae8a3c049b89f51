"""Random expression trees over the allowed functions: value and gradients equal
those of the same computation done directly in torch by the test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.errors import UserRuntimeError
from app.evaluate import run_source

# Fuzzing is bounded by its example counts, and in time here, for CI.
pytestmark = pytest.mark.timeout(240)

Env = dict[str, torch.Tensor]


@dataclass(frozen=True)
class Expr:
    source: str
    compute: Callable[[Env], Any]
    names: frozenset[str]


def _tensor(value: Any) -> Any:
    # A bare math name applied to a Python number works on a tensor of it
    # (torch.X and F.X, like torch itself, refuse a Python number).
    return value if isinstance(value, torch.Tensor) else torch.as_tensor(value)


UNARY: dict[str, Callable[[Any], Any]] = {
    "sin": lambda a: torch.sin(_tensor(a)),
    "cos": lambda a: torch.cos(_tensor(a)),
    "tanh": lambda a: torch.tanh(_tensor(a)),
    "sigmoid": lambda a: torch.sigmoid(_tensor(a)),
    "exp": lambda a: torch.exp(_tensor(a)),
    "relu": lambda a: torch.relu(_tensor(a)),
    "torch.sin": torch.sin,
    "torch.atan": torch.atan,
    "F.softplus": torch.nn.functional.softplus,
    "F.gelu": torch.nn.functional.gelu,
    "torch.square": torch.square,
}
WRAPPERS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "log": ("log(abs({}) + 1)", lambda a: torch.log(torch.abs(_tensor(a)) + 1)),
    "sqrt": ("sqrt(abs({}) + 0.5)", lambda a: torch.sqrt(torch.abs(_tensor(a)) + 0.5)),
    "softmax": ("torch.softmax({} * x, dim=0)", None),  # filled below
    "clamp": ("torch.clamp({}, -2, 2)", lambda a: torch.clamp(_tensor(a), -2, 2)),
    "method": ("({}).tanh()", lambda a: _tensor(a).tanh()),
    "square": ("({}) ** 2", lambda a: a**2),
    "neg": ("-({})", lambda a: -a),
}
BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}
FUNCTIONS2: dict[str, Callable[[Any, Any], Any]] = {
    "torch.maximum": torch.maximum,
    "torch.hypot": torch.hypot,
    "torch.atan2": torch.atan2,
    "atan2": lambda a, b: torch.atan2(_tensor(a), b),
}

LEAVES = st.one_of(
    st.sampled_from(["x", "y"]).map(
        lambda n: Expr(n, lambda env, n=n: env[n], frozenset({n}))  # type: ignore[misc]
    ),
    st.sampled_from([0.5, 2.0, 3.0, -1.5, 0.25]).map(
        lambda v: Expr(repr(v), lambda env, v=v: v, frozenset())  # type: ignore[misc]
    ),
)


def lift(e: Expr) -> Expr:
    """A constant subtree as a tensor, where torch.X would refuse a Python number."""
    if e.names:
        return e
    try:
        if isinstance(e.compute({}), torch.Tensor):  # sin(0.5) is a tensor already
            return e
    except (ZeroDivisionError, RuntimeError, TypeError):
        pass
    return Expr(f"torch.tensor({e.source})", lambda env: torch.tensor(e.compute(env)), e.names)


def _unary(child: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    def apply(name: str, e: Expr) -> Expr:
        fn = UNARY[name]
        if "." in name:
            e = lift(e)
        return Expr(f"{name}({e.source})", lambda env: fn(e.compute(env)), e.names)

    return st.builds(apply, st.sampled_from(sorted(UNARY)), child)


def _wrapped(child: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    def apply(name: str, e: Expr) -> Expr:
        template, fn = WRAPPERS[name]
        e = lift(e)
        if name == "softmax":
            return Expr(
                template.format(e.source),
                lambda env: torch.softmax(e.compute(env) * env["x"], dim=0),
                e.names | {"x"},
            )
        assert fn is not None
        return Expr(template.format(e.source), lambda env: fn(e.compute(env)), e.names)

    return st.builds(apply, st.sampled_from(sorted(WRAPPERS)), child)


def _binary(child: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    def apply(op: str, a: Expr, b: Expr) -> Expr:
        fn = BINARY[op]
        return Expr(
            f"({a.source} {op} {b.source})",
            lambda env: fn(a.compute(env), b.compute(env)),
            a.names | b.names,
        )

    return st.builds(apply, st.sampled_from(sorted(BINARY)), child, child)


def _function2(child: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    def apply(name: str, a: Expr, b: Expr) -> Expr:
        fn = FUNCTIONS2[name]
        a, b = lift(a), lift(b)
        return Expr(
            f"{name}({a.source}, {b.source})",
            lambda env: fn(a.compute(env), b.compute(env)),
            a.names | b.names,
        )

    return st.builds(apply, st.sampled_from(sorted(FUNCTIONS2)), child, child)


EXPRESSIONS = st.recursive(
    LEAVES,
    lambda child: st.one_of(_unary(child), _wrapped(child), _binary(child), _function2(child)),
    max_leaves=12,
)
REDUCTIONS = {
    ".sum()": lambda t: _tensor(t).sum(),
    ".mean()": lambda t: _tensor(t).mean(),
    "sum": lambda t: torch.sum(_tensor(t)),
}
FLOATS = st.floats(-3, 3, allow_nan=False, width=32)


@settings(max_examples=500, deadline=None)
@given(
    expression=EXPRESSIONS,
    reduction=st.sampled_from(sorted(REDUCTIONS)),
    x=st.lists(FLOATS, min_size=3, max_size=3),
    y=FLOATS,
)
def test_matches_torch(expression: Expr, reduction: str, x: list[float], y: float) -> None:
    assume(expression.names)  # a tree of constants alone is plain Python arithmetic
    inner = f"({expression.source})"
    source = f"sum({inner})" if reduction == "sum" else f"{inner}{reduction}"
    inputs = {"x": x, "y": y}
    env = {
        "x": torch.tensor(x, dtype=torch.float32, requires_grad=True),
        "y": torch.tensor(y, dtype=torch.float32, requires_grad=True),
    }
    try:
        expected = REDUCTIONS[reduction](expression.compute(env))
    except ZeroDivisionError as refusal:
        # Constants only, like 0.5 / (0.5 - 0.5): Python refuses, and so do we.
        try:
            run_source(source, inputs)
        except UserRuntimeError as error:
            assert type(refusal).__name__ in error.detail
            return
        raise AssertionError("expected a runtime error") from None
    evaluation = run_source(source, inputs)
    torch.testing.assert_close(
        torch.as_tensor(evaluation.output).detach(),
        torch.as_tensor(expected).detach(),
        equal_nan=True,
        check_dtype=False,
    )
    if isinstance(expected, torch.Tensor) and expected.requires_grad:
        expected.backward()
    assert set(evaluation.gradients) == expression.names
    for name in evaluation.gradients:
        got = evaluation.gradients[name]
        want = env[name].grad
        if want is None:
            assert got is None or not bool(got.any())
        else:
            assert got is not None
            torch.testing.assert_close(got, want, equal_nan=True)
