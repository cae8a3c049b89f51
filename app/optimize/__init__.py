"""Gradient descent and function plots: the notebook's last cells (In [12], In [13]).

Public API:

    OptimizeRequest, PlotRequest        the requests (pydantic, frozen, key())
    check_bounds(request)               LimitExceeded / InvalidRequest early
    optimize_document(request, limits)  -> JSON bytes of POST /api/v1/optimize
    optimize_svg(request, limits)       -> the plot alone (GET /api/v1/optimize.svg)
    plot_svg(request, limits)           -> f and f' (GET /api/v1/plot.svg)
    Descent(request, limits)            the runs, curve and plot, for the CLI

Module map: request.py (models, bounds), objective.py (the function, via an
app.evaluate Session), descent.py (the update rules), plot.py (matplotlib,
deterministic SVG), svgcheck.py (the SVG allowlist), answer.py (the three
kinds of answer).

Part of the core: no FastAPI, no Jinja. Importing this package imports
matplotlib, so the worker fork server (which imports app.pipeline, which
imports this) loads it once and every worker starts with it.
"""

from __future__ import annotations

from app.optimize.answer import Descent, optimize_document, optimize_svg, plot_svg
from app.optimize.request import (
    MAX_POINTS,
    MAX_RANGE,
    MAX_RATES,
    MAX_STEPS,
    MAX_TOTAL_STEPS,
    OptimizeRequest,
    PlotRequest,
    check_bounds,
)

__all__ = [
    "MAX_POINTS",
    "MAX_RANGE",
    "MAX_RATES",
    "MAX_STEPS",
    "MAX_TOTAL_STEPS",
    "Descent",
    "OptimizeRequest",
    "PlotRequest",
    "check_bounds",
    "optimize_document",
    "optimize_svg",
    "plot_svg",
]
