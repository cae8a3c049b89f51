"""Gradient descent and function plots: the notebook's last cells (In [12], In [13]).

Public API, in two halves:

    app.optimize (this package, light: pydantic only, safe for the server)
        OptimizeRequest, PlotRequest        the requests (frozen, key())
        check_bounds(request)               LimitExceeded / InvalidRequest early
    app.optimize.answer (torch and matplotlib: worker processes and the CLI)
        optimize_document(request, limits)  -> JSON bytes of POST /api/v1/optimize
        optimize_svg(request, limits)       -> the plot alone (GET /api/v1/optimize.svg)
        plot_svg(request, limits)           -> f and f' (GET /api/v1/plot.svg)
        Descent(request, limits)            the runs, curve and plot (the two above)

Module map: request.py (models, bounds), objective.py (the function, via an
app.evaluate Session), descent.py (the update rules), plot.py (matplotlib,
deterministic SVG), svgcheck.py (the SVG allowlist), answer.py (the three
kinds of answer).

Part of the core: no FastAPI, no Jinja. The server process imports only
this package (to validate requests), never torch or matplotlib; the worker
fork server imports app.pipeline, which imports app.optimize.answer, so
matplotlib is loaded once and every worker starts with it.
"""

from __future__ import annotations

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
    "OptimizeRequest",
    "PlotRequest",
    "check_bounds",
]
