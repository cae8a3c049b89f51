"""What a gradient-descent or function-plot request asks for, in canonical form.

`OptimizeRequest` and `PlotRequest` play the part `app.job.Job` plays for
graphs: frozen pydantic models that cross every boundary (HTTP body or
query, the worker pool as JSON, the CLI), whose `key()` is the content hash
of the request and the app version (cache key and ETag).

The models check shapes and types (malformed input is a ValidationError,
answered as invalid_request); the bounds are checked by `check_bounds`,
which raises LimitExceeded naming the limit and its value, so a request for
too many steps says "limit_exceeded: steps", not "invalid".
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app import __version__
from app.errors import InvalidRequest, LimitExceeded
from app.job import IDENTIFIER, Theme, normalise_source

Method = Literal["sgd", "momentum", "adam"]

MAX_STEPS = 1_000  # updates per run
MAX_RATES = 8  # step sizes (runs) per request
# Updates across all runs of a request: each costs ~0.2 ms of interpreted
# objective and backward(), and a request must finish well inside the
# worker's 3 s wall time on a busy machine (8 x 1,000 took 1.6 s idle).
MAX_TOTAL_STEPS = 4_000
MAX_RANGE = 1e6  # width of the plotted range, and the largest |end| of it
MAX_POINTS = 2_000  # points of the plotted curve
DEFAULT_POINTS = 400
FLOAT32_MAX = 3.4028234663852886e38

Identifier = Annotated[str, Field(pattern=IDENTIFIER)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class _Request(BaseModel):
    """Fields shared by both requests: the objective and how to draw it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(
        description="The objective: an expression in one variable "
        "(`theta*cos(4*theta) + 2*abs(theta)`), or a program that defines a function."
    )
    variable: Identifier | None = Field(
        None,
        description="The variable's name. Default: the expression's only free name, or the "
        "function's first parameter.",
    )
    function: Identifier | None = Field(
        None,
        description="The function to use when the program defines several. Default: one "
        "named `objective` or `f`, else the last one defined.",
    )
    range: tuple[FiniteFloat, FiniteFloat] | None = Field(
        None, description="The plotted interval `[lo, hi]` of the variable."
    )
    points: int = Field(
        DEFAULT_POINTS, ge=2, description=f"Points of the plotted curve (at most {MAX_POINTS})."
    )
    theme: Theme = Field("light", description="Colours for light or dark pages.")

    @field_validator("source")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return normalise_source(value)

    # Every number of both requests; init, steps and lr are OptimizeRequest's.
    @field_validator("points", "range", "init", "steps", "lr", mode="before", check_fields=False)
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        return no_booleans(value)

    def key(self) -> str:
        """A content hash of the request, its kind and the app version."""
        payload = self.model_dump(mode="json")
        payload["model"] = type(self).__name__
        payload["version"] = __version__
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()


class OptimizeRequest(_Request):
    """Gradient descent from `init` with each step size of `lr` (one run each)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source": "theta*cos(4*theta) + 2*abs(theta)",
                    "variable": "theta",
                    "init": -3.5,
                    "lr": [0.05, 0.07, 0.15],
                    "steps": 100,
                    "method": "sgd",
                }
            ]
        }
    )

    init: FiniteFloat = Field(
        0.0, description=f"The starting value of the variable (within ±{MAX_RANGE:g})."
    )
    lr: tuple[FiniteFloat, ...] = Field(
        (0.05,),
        description=f"Step size, or a list of them to compare (at most {MAX_RATES}).",
    )
    steps: int = Field(
        100,
        ge=0,
        description=f"Updates per run (at most {MAX_STEPS:,}, and {MAX_TOTAL_STEPS:,} across "
        "all step sizes).",
    )
    method: Method = Field(
        "sgd",
        description="`sgd`: torch.optim.SGD; `momentum`: torch.optim.SGD(momentum=0.9); "
        "`adam`: torch.optim.Adam.",
    )

    @field_validator("lr", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if isinstance(value, int | float):
            return (value,)
        return value

    @field_validator("lr")
    @classmethod
    def _rates(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value:
            raise ValueError("give at least one step size")
        for rate in value:
            if rate <= 0:
                raise ValueError(f"a step size must be positive, not {rate:g}")
        return value


class PlotRequest(_Request):
    """A function and its derivative over `range` (default [-5, 5])."""

    derivative: bool = Field(True, description="Draw the derivative (autograd) too.")


def no_booleans(value: Any) -> Any:
    """JSON's true and false are not numbers here (pydantic would read 1 and 0)."""
    items = value if isinstance(value, list | tuple) else [value]
    if any(isinstance(item, bool) for item in items):
        raise ValueError("a number, not true or false")
    return value


def check_bounds(request: OptimizeRequest | PlotRequest) -> None:
    """Raise LimitExceeded (or InvalidRequest) if the request is out of bounds."""
    if request.points > MAX_POINTS:
        raise LimitExceeded(
            "plot_points", MAX_POINTS, f"at most {MAX_POINTS:,} plot points, not {request.points:,}"
        )
    if request.range is not None:
        check_range(request.range)
    if isinstance(request, OptimizeRequest):
        if request.steps > MAX_STEPS:
            raise LimitExceeded(
                "steps", MAX_STEPS, f"at most {MAX_STEPS:,} steps per run, not {request.steps:,}"
            )
        if len(request.lr) > MAX_RATES:
            raise LimitExceeded(
                "step_sizes",
                MAX_RATES,
                f"at most {MAX_RATES} step sizes in one request, not {len(request.lr)}",
            )
        total = request.steps * len(request.lr)
        if total > MAX_TOTAL_STEPS:
            raise LimitExceeded(
                "total_steps",
                MAX_TOTAL_STEPS,
                f"at most {MAX_TOTAL_STEPS:,} steps across all step sizes of a request, not "
                f"{len(request.lr)} x {request.steps:,} = {total:,}",
            )
        if abs(request.init) > MAX_RANGE:
            raise LimitExceeded(
                "init", MAX_RANGE, f"init must lie within ±{MAX_RANGE:g}, not {request.init:g}"
            )
        for rate in request.lr:
            if rate > FLOAT32_MAX:
                raise InvalidRequest(f"the step size {rate:g} is beyond float32's range")


def check_range(bounds: tuple[float, float]) -> None:
    lo, hi = bounds
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise InvalidRequest("the range must be two finite numbers")
    if hi <= lo:
        raise InvalidRequest(f"the range must be lo,hi with lo < hi, not {lo:g},{hi:g}")
    if hi - lo > MAX_RANGE or max(abs(lo), abs(hi)) > MAX_RANGE:
        raise LimitExceeded(
            "plot_range",
            MAX_RANGE,
            f"the plotted range must lie within ±{MAX_RANGE:g} and be at most {MAX_RANGE:g} "
            f"wide, not [{lo:g}, {hi:g}]",
        )
    # Plotted in float32: an interval narrower than its resolution is one point.
    if hi - lo < 1e-5 * max(1.0, abs(lo), abs(hi)):
        raise InvalidRequest(f"the range [{lo:g}, {hi:g}] is too narrow to plot")
