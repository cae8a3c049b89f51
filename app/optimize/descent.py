"""Gradient descent on one float32 leaf with torch.optim, as the notebook's In [13].

Each step is the notebook's loop with the update made by an optimizer on
our leaf: `sgd` is torch.optim.SGD, `momentum` torch.optim.SGD(momentum=0.9),
`adam` torch.optim.Adam:

    optimizer.zero_grad(); out = objective(theta); out.backward(); optimizer.step()

torch.optim.SGD updates with `theta.add_(grad, alpha=-lr)` where the notebook
writes `theta -= lr * theta.grad`; in float32 the two round differently:
from -3.5 with lr=0.15 the trajectories part at the 9th update and end at
0.11150288 against the notebook's 0.11150292, the same to 6 significant
digits (tests/optimize/test_descent.py checks both facts).

Each point of a run is the parameter before an update, the objective and
its gradient there, so a run of `steps` updates has `steps + 1` points (the
notebook's theta_hat_arr and obj_arr). A non-finite parameter, objective
or gradient (divergence) ends the run at that point, with a warning: never
an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from app.optimize.objective import Objective, backward
from app.optimize.request import Method

MOMENTUM = 0.9


@dataclass(frozen=True, slots=True)
class Point:
    parameter: float
    objective: float
    gradient: float
    # The objective was computed in float64 at this point: its value is
    # answered as it is, not as float32 (a program may switch dtype by step).
    float64: bool = False


@dataclass(slots=True)
class Run:
    lr: float
    points: list[Point] = field(default_factory=list)
    stopped: str | None = None  # why the run ended before its last step
    warnings: list[str] = field(default_factory=list)

    @property
    def final(self) -> Point:
        return self.points[-1]


def descend(objective: Objective, init: float, lr: float, steps: int, method: Method) -> Run:
    """`steps` updates from `init`; see the module docstring."""
    run = Run(lr=lr)
    with torch.enable_grad():
        theta = torch.tensor(init, dtype=torch.float32, requires_grad=True)
        optimizer = _optimizer(method, theta, lr)
        for step in range(steps + 1):
            optimizer.zero_grad()
            out = objective(theta)
            if out.requires_grad:
                backward(out, objective)
            elif not run.warnings:
                run.warnings.append(
                    f"lr={lr:g}: the objective does not depend on {objective.variable} "
                    "(no gradient): the gradient is taken as 0"
                )
            value = float(out.detach())
            grad = 0.0 if theta.grad is None else float(theta.grad)
            parameter = float(theta.detach())
            run.points.append(Point(parameter, value, grad, out.dtype == torch.float64))
            # The parameter too: an update past float32's range is divergence
            # even where the objective stays finite (-tanh(x) at inf: found by fuzzing).
            found = {"parameter": parameter, "objective": value, "gradient": grad}
            what = next((name for name, x in found.items() if not math.isfinite(x)), None)
            if what is not None:
                run.stopped = f"the {what} is not finite at step {step}: the run diverged"
                run.warnings.append(f"lr={lr:g}: {run.stopped}; it stops there")
                break
            if step == steps:
                break
            try:
                optimizer.step()
            except RuntimeError as error:
                # Adam's first step is about 10 x lr: with lr near float32's
                # largest, the update itself overflows (found by fuzzing).
                if "overflow" not in str(error):
                    raise
                run.stopped = f"the update overflowed after step {step}: the run diverged"
                run.warnings.append(f"lr={lr:g}: {run.stopped}; it stops there")
                break
    return run


def _optimizer(method: Method, theta: torch.Tensor, lr: float) -> torch.optim.Optimizer:
    if method == "momentum":
        return torch.optim.SGD([theta], lr=lr, momentum=MOMENTUM)
    if method == "adam":
        return torch.optim.Adam([theta], lr=lr)
    return torch.optim.SGD([theta], lr=lr)
