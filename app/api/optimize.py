"""Gradient descent and function plots over HTTP (SPEC.md section 3).

- POST /api/v1/optimize: the runs (trajectories, final points) and the plot;
- GET /api/v1/optimize.svg: the same plot alone, for `<img src>`;
- GET /api/v1/plot.svg: a function and its derivative.

The work runs in the worker pool (kinds "optimize", "optimize_image",
"plot" of app.pipeline) through the service's answer cache. The images
follow graph.svg's caching rules: a strong ETag from the canonical request
and the build, Cache-Control, 304 on If-None-Match before any work, HEAD as
GET without the body.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.api.deps import get_service, require_json
from app.api.graph import image_response
from app.api.schemas import PROBLEM_RESPONSES
from app.job import Theme
from app.optimize import (
    MAX_POINTS,
    MAX_RATES,
    MAX_STEPS,
    MAX_TOTAL_STEPS,
    OptimizeRequest,
    check_bounds,
)
from app.optimize.query import optimize_from_query, plot_from_query
from app.optimize.request import Method
from app.service import Service

router = APIRouter(prefix="/api/v1", tags=["optimize"])

Number = float | str  # "inf", "-inf", "nan" for non-finite values


class TrajectoryPoint(BaseModel):
    parameter: Number = Field(description="The variable before this step's update.")
    objective: Number
    gradient: Number = Field(description="d objective / d variable at this point.")


class OptimizeRun(BaseModel):
    lr: float
    color: str = Field(description="This run's colour in the plot.")
    trajectory: list[TrajectoryPoint] = Field(description="Point k is the state after k updates.")
    final: TrajectoryPoint
    steps_run: int = Field(description="Updates made: fewer than `steps` if the run diverged.")
    stopped: str | None = Field(description="Why the run stopped early, if it did.")


class PlotAxes(BaseModel):
    """Where the plotting area is in the SVG (user units, y down), and its data limits:
    a page can mark any step on the picture without asking for a new one."""

    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float
    x: list[Number]
    y: list[Number]


class OptimizeResult(BaseModel):
    variable: str
    function: str | None = Field(
        description="The function used, for a program; null for an expression."
    )
    method: Method
    init: float
    steps: int
    runs: list[OptimizeRun] = Field(description="One run per step size, in the request's order.")
    range: list[float] = Field(description="The plotted interval of the variable.")
    axes: PlotAxes
    svg: str = Field(description="The plot as inline SVG.")
    stdout: str
    warnings: list[str]
    key: str = Field(
        description="Content hash of the canonical request (the first part of the ETag of "
        "optimize.svg)."
    )


_QUERY_GRAMMAR = f"""
The query is the request: `source`, `variable`, `init`, `lr` (comma-separated
to compare several: `lr=0.05,0.07,0.15`, at most {MAX_RATES}), `steps` (at most
{MAX_STEPS:,} per run and {MAX_TOTAL_STEPS:,} across the runs), `method` (`sgd`,
`momentum`, `adam`), `function`, `range` (`lo,hi`), `points` (at most
{MAX_POINTS:,}), `theme` (`light`, `dark`).
Any other parameter is an error.
"""

_IMAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/svg+xml": {}}, "description": "The plot."},
    304: {"description": "Not modified (If-None-Match matched the ETag)."},
    **PROBLEM_RESPONSES,
}


@router.post(
    "/optimize",
    operation_id="optimize",
    summary="Gradient descent on an objective: trajectories and a plot",
    description="Runs gradient descent from `init` once per step size in `lr` and answers each "
    "trajectory (parameter, objective and gradient at every step), the final points, and an "
    "SVG plot of the objective with the steps drawn on it, as the notebook does.",
    response_model=OptimizeResult,
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(require_json)],
)
async def optimize(
    body: OptimizeRequest, service: Annotated[Service, Depends(get_service)]
) -> Response:
    check_bounds(body)
    answer = await service.run(body, "optimize")
    return Response(answer.body, media_type="application/json")


@router.get(
    "/optimize.svg",
    operation_id="optimize_svg",
    summary="The gradient-descent plot alone, for <img src>",
    description="The plot of POST /api/v1/optimize as an image.\n" + _QUERY_GRAMMAR,
    responses=_IMAGE_RESPONSES,
)
async def optimize_svg(
    request: Request,
    service: Annotated[Service, Depends(get_service)],
    source: Annotated[str, Query(description="The objective: an expression or a program.")],
    variable: Annotated[str | None, Query(description="The variable's name.")] = None,
    init: Annotated[float, Query(description="Where to start.")] = 0.0,
    lr: Annotated[str, Query(description="Step sizes, comma-separated.")] = "0.05",
    steps: Annotated[int, Query(description="Updates per run.")] = 100,
    method: Method = "sgd",
    function: Annotated[str | None, Query(description="The function of a program.")] = None,
    range: Annotated[str | None, Query(description="The plotted interval: lo,hi.")] = None,
    points: Annotated[int, Query(description="Points of the curve.")] = 400,
    theme: Theme = "light",
) -> Response:
    # The declared parameters document the grammar; the request is built from
    # the raw query, so unknown or repeated parameters are refused.
    job = optimize_from_query(request.query_params.multi_items())
    check_bounds(job)
    return await image_response(request, service, job, "optimize_image")


@router.get(
    "/plot.svg",
    operation_id="plot_svg",
    summary="A function and its derivative (autograd over a linspace)",
    description="The objective and its derivative over `range` (default -5,5). Parameters: "
    "`source`, `variable`, `function`, `range`, `points`, `derivative` (true or false), "
    "`theme`; any other parameter is an error.",
    responses=_IMAGE_RESPONSES,
)
async def plot_svg(
    request: Request,
    service: Annotated[Service, Depends(get_service)],
    source: Annotated[str, Query(description="The function: an expression or a program.")],
    variable: Annotated[str | None, Query(description="The variable's name.")] = None,
    function: Annotated[str | None, Query(description="The function of a program.")] = None,
    range: Annotated[str | None, Query(description="The plotted interval: lo,hi.")] = None,
    points: Annotated[int, Query(description="Points of the curve.")] = 400,
    derivative: Annotated[bool, Query(description="Draw the derivative too.")] = True,
    theme: Theme = "light",
) -> Response:
    job = plot_from_query(request.query_params.multi_items())
    check_bounds(job)
    return await image_response(request, service, job, "plot")
