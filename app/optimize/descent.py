"""Gradient descent on one float32 leaf, as the notebook runs it (In [13]).

`sgd` is the notebook's own update, not torch.optim.SGD:

    if theta.grad is not None: theta.grad.zero_()
    out = objective(theta); out.backward()
    with torch.no_grad(): theta -= lr * theta.grad

torch.optim.SGD computes `theta.add_(grad, alpha=-lr)`, which rounds
differently in float32: from -3.5 with lr=0.15 it leaves the notebook's
trajectory at the 9th update and ends at 0.11150288, not the notebook's
0.11150292 (tests/optimize/test_descent.py checks both facts). `momentum` and `adam`
are torch.optim.SGD(momentum=0.9) and torch.optim.Adam on the same leaf.

Each point of a run is the parameter before an update, the objective and
its gradient there, so a run of `steps` updates has `steps + 1` points (the
notebook's theta_hat_arr and obj_arr). A non-finite objective or gradient
(divergence) ends the run at that point, with a warning: never an error.
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


@dataclass(slots=True)
class Run:
    lr: float
    points: list[Point] = field(default_factory=list)
    stopped: str | None = None  # why the run ended before its last step
    float64: bool = False  # the objective was computed in float64
    warnings: list[str] = field(default_factory=list)

    @property
    def final(self) -> Point:
        return self.points[-1]


def descend(objective: Objective, init: float, lr: float, steps: int, method: Method) -> Run:
    """`steps` updates from `init`; see the module docstring."""
    run = Run(lr=lr)
    with torch.enable_grad():
        theta = torch.tensor(init, dtype=torch.float32, requires_grad=True)
        optimizer: torch.optim.Optimizer | None = None
        if method == "momentum":
            optimizer = torch.optim.SGD([theta], lr=lr, momentum=MOMENTUM)
        elif method == "adam":
            optimizer = torch.optim.Adam([theta], lr=lr)
        for step in range(steps + 1):
            if optimizer is not None:
                optimizer.zero_grad()
            elif theta.grad is not None:
                theta.grad.zero_()
            out = objective(theta)
            run.float64 = out.dtype == torch.float64
            if out.requires_grad:
                backward(out, objective)
            elif not run.warnings:
                run.warnings.append(
                    f"lr={lr:g}: the objective does not depend on {objective.variable} "
                    "(no gradient): the gradient is taken as 0"
                )
            value = float(out.detach())
            grad = 0.0 if theta.grad is None else float(theta.grad)
            run.points.append(Point(float(theta.detach()), value, grad))
            if not (math.isfinite(value) and math.isfinite(grad)):
                what = "objective" if not math.isfinite(value) else "gradient"
                run.stopped = f"the {what} is not finite at step {step}: the run diverged"
                run.warnings.append(f"lr={lr:g}: {run.stopped}; it stops there")
                break
            if step == steps:
                break
            if optimizer is not None:
                optimizer.step()
            elif theta.grad is not None:
                with torch.no_grad():
                    theta -= lr * theta.grad
    return run
