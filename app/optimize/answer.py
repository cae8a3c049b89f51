"""A request in, an answer's bytes out: the three kinds of work.

- `optimize_document`: the JSON of POST /api/v1/optimize: every run's
  trajectory (parameter, objective and gradient at each step), its final
  point, the plot inline and where its axes are;
- `optimize_svg`: that plot alone (GET /api/v1/optimize.svg);
- `plot_svg`: a function and its derivative (GET /api/v1/plot.svg).

One Session per request (in Objective): the program runs once, then every
step of every run and every point of the curve share its budgets. Warnings
(torch's, ours) are collected, never raised: the same request gives the
same answer.
"""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import numpy as np

from app.evaluate.encode import JSONNumber, json_number
from app.limits import DEFAULT_LIMITS, Limits
from app.optimize.descent import Point, Run, descend
from app.optimize.objective import Objective
from app.optimize.plot import THEMES, AxesBox, Curve, descent_plot, function_plot
from app.optimize.request import MAX_RANGE, OptimizeRequest, PlotRequest, check_bounds

DEFAULT_PLOT_RANGE = (-5.0, 5.0)  # the notebook's first plot


class Descent:
    """The runs of one OptimizeRequest and their plot."""

    def __init__(self, request: OptimizeRequest, limits: Limits = DEFAULT_LIMITS) -> None:
        check_bounds(request)
        self.request = request
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.objective = Objective(request.source, request.variable, request.function, limits)
            self.runs: list[Run] = [
                descend(self.objective, request.init, lr, request.steps, request.method)
                for lr in request.lr
            ]
            self.range, range_warning = self._range()
            lo, hi = self.range
            xs, ys, _ = self.objective.curve(lo, hi, request.points, derivative=False)
            self.curve = Curve(xs, ys)
        self.warnings = _unique(
            [
                *self.objective.warnings,
                *(w for run in self.runs for w in run.warnings),
                *([range_warning] if range_warning else []),
                *(str(item.message) for item in caught),
            ]
        )
        self.svg, self.axes = descent_plot(
            self.curve,
            self.runs,
            self.objective.variable,
            self.objective.title,
            request.method,
            request.theme,
        )

    def _range(self) -> tuple[tuple[float, float], str | None]:
        """The request's range, or the trajectories' extent with a margin; and a
        note when some step lies outside it."""
        xs = [p.parameter for run in self.runs for p in run.points if math.isfinite(p.parameter)]
        bounds = self.request.range
        if bounds is None:
            # No finite parameter at all (an objective that sets x to nan in
            # place: found by fuzzing, a 500): around the start, then.
            lo, hi = (min(xs), max(xs)) if xs else (self.request.init, self.request.init)
            pad = 0.1 * (hi - lo) if hi > lo else max(1.0, 0.1 * abs(lo))
            lo, hi = max(lo - pad, -MAX_RANGE), min(hi + pad, MAX_RANGE)
            if hi - lo > MAX_RANGE:  # keep the start in view
                start, half = self.request.init, MAX_RANGE / 2
                lo, hi = max(lo, start - half), min(hi, start + half)
            bounds = lo, hi
        if all(bounds[0] <= x <= bounds[1] for x in xs):
            return bounds, None
        return bounds, f"the trajectory leaves the plotted range [{bounds[0]:g}, {bounds[1]:g}]"

    def document(self) -> dict[str, Any]:
        request = self.request
        theme = THEMES[request.theme]
        runs = []
        for index, run in enumerate(self.runs):
            runs.append(
                {
                    "lr": run.lr,
                    "color": theme.runs[index % len(theme.runs)],
                    "trajectory": [_point(p) for p in run.points],
                    "final": _point(run.final),
                    "steps_run": len(run.points) - 1,
                    "stopped": run.stopped,
                }
            )
        return {
            "variable": self.objective.variable,
            "function": self.objective.name,
            "method": request.method,
            "init": request.init,
            "steps": request.steps,
            "runs": runs,
            "range": list(self.range),
            "axes": _axes(self.axes),
            "svg": self.svg.decode("utf-8"),
            "stdout": self.objective.stdout,
            "warnings": self.warnings,
            "key": request.key(),
        }


def optimize_document(request: OptimizeRequest, limits: Limits = DEFAULT_LIMITS) -> bytes:
    return dump_json(Descent(request, limits).document())


def optimize_svg(request: OptimizeRequest, limits: Limits = DEFAULT_LIMITS) -> bytes:
    return Descent(request, limits).svg


def plot_svg(request: PlotRequest, limits: Limits = DEFAULT_LIMITS) -> bytes:
    check_bounds(request)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an SVG has nowhere to show them
        objective = Objective(request.source, request.variable, request.function, limits)
        lo, hi = request.range or DEFAULT_PLOT_RANGE
        xs, ys, dys = objective.curve(lo, hi, request.points, request.derivative)
    return function_plot(Curve(xs, ys, dys), objective.variable, objective.title, request.theme)


def _point(point: Point) -> dict[str, JSONNumber]:
    return {
        "parameter": _float32(point.parameter),
        "objective": json_number(point.objective) if point.float64 else _float32(point.objective),
        "gradient": _float32(point.gradient),
    }


def _float32(x: float) -> JSONNumber:
    """The shortest decimal that reads back as the same float32 (as app.evaluate.encode)."""
    if not math.isfinite(x):
        return json_number(x)
    return float(str(np.float32(x)))


def _axes(box: AxesBox) -> dict[str, Any]:
    out = box.to_dict()
    out["x"] = [json_number(v) for v in out["x"]]
    out["y"] = [json_number(v) for v in out["y"]]
    return out


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def dump_json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
