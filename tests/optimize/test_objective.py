"""Curves: one call over a linspace when the function is elementwise, else point by point."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from app.errors import UserRuntimeError
from app.limits import Limits
from app.optimize.objective import Objective


def expected(xs: np.ndarray, f: str) -> tuple[np.ndarray, np.ndarray]:
    x = torch.tensor(xs, dtype=torch.float32, requires_grad=True)
    y = {"cubic": x**3 - x, "notebook": x * torch.cos(4 * x) + 2 * torch.abs(x)}[f]
    y.sum().backward()  # type: ignore[no-untyped-call]
    return y.detach().double().numpy(), x.grad.double().numpy()  # type: ignore[union-attr]


def test_an_elementwise_curve_and_its_derivative() -> None:
    objective = Objective("def f(x):\n    return x**3 - x\n", None, None, Limits())
    steps_before = objective.session.steps
    xs, ys, dys = objective.curve(-2.0, 2.0, 101, derivative=True)
    want_y, want_dy = expected(xs, "cubic")
    assert len(xs) == 101 and xs[0] == -2.0 and xs[-1] == 2.0
    np.testing.assert_allclose(ys, want_y, rtol=1e-6, atol=1e-6)
    assert dys is not None
    np.testing.assert_allclose(dys, 3 * xs**2 - 1, rtol=1e-5, atol=1e-5)
    # One call for the grid, three point checks: not one call per point.
    assert 1 <= objective.session.steps - steps_before <= 4


def test_an_expression_curve() -> None:
    objective = Objective("x*cos(4*x) + 2*abs(x)", None, None, Limits())
    xs, ys, dys = objective.curve(-5.0, 5.0, 100, derivative=True)
    want_y, want_dy = expected(xs, "notebook")
    np.testing.assert_allclose(ys, want_y, rtol=1e-6, atol=1e-6)
    assert dys is not None
    np.testing.assert_allclose(dys, want_dy, rtol=1e-5, atol=1e-5)


def test_a_function_that_is_not_elementwise_is_drawn_point_by_point() -> None:
    source = (
        "def f(x):\n"
        "    if x > 0:\n"
        "        return x * torch.cos(4 * x) + 2 * x\n"
        "    return x * torch.cos(4 * x) - 2 * x\n"
    )
    objective = Objective(source, None, None, Limits())
    xs, ys, dys = objective.curve(-5.0, 5.0, 50, derivative=True)
    want_y, want_dy = expected(xs, "notebook")
    np.testing.assert_allclose(ys, want_y, rtol=1e-5, atol=1e-6)
    assert dys is not None
    np.testing.assert_allclose(dys, want_dy, rtol=1e-5, atol=1e-5)


def test_a_vector_answer_that_is_not_elementwise_is_caught() -> None:
    # Shape [n] for a vector of n, but each value depends on all of them.
    objective = Objective("def f(x):\n    return (x - x.mean())**2\n", None, None, Limits())
    xs, ys, _ = objective.curve(1.0, 3.0, 21, derivative=False)
    np.testing.assert_allclose(ys, np.zeros_like(xs))  # pointwise, (x - x)**2 is 0


def test_a_point_the_function_cannot_take_is_its_error() -> None:
    source = "def f(x):\n    if x > 1:\n        return x.pow(2) @ x\n    return x\n"
    objective = Objective(source, None, None, Limits())
    with pytest.raises(UserRuntimeError) as caught:
        objective.curve(0.0, 2.0, 10, derivative=False)
    assert caught.value.line == 3


def test_non_finite_values_are_kept_for_the_plot_to_skip() -> None:
    objective = Objective("log(x)", None, None, Limits())
    xs, ys, _ = objective.curve(-1.0, 1.0, 5, derivative=False)
    assert np.isnan(ys[0]) and ys[2] == -np.inf and ys[4] == 0.0
