"""GET /api/v1/figure.{svg,png}: one figure a program draws, for <img src>.

The URL is graph.*'s (app.query: `source`, `output`, options, inputs) and
`n`, which figure: 0 for the first the program made. The answer follows the
graph's rules, through the same machinery (app.api.graph): a strong ETag
from the canonical request and the build, Cache-Control, 304 on
If-None-Match before any work, the URL remembered and answered from the
cache before routing the next time, HEAD as GET without the body, CORS open,
problem+json for a program that fails, a missing `n` or a figure that does
not exist.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.api.graph import query_parameters, remembered_image
from app.api.schemas import PROBLEM_RESPONSES
from app.query import figure_from_query

router = APIRouter(prefix="/api/v1", tags=["figures"])

FigureFormat = Literal["svg", "png"]

_DESCRIPTION = """One of the matplotlib figures a program draws (`plt.plot(...)`), alone,
for `<img src>` and downloads: `n=0` is the first figure the program made.

The rest of the query is `GET /api/v1/graph.svg`'s: `source`, `output`, the
options (`theme=dark` draws the figure in the page's dark colours), and
every other parameter binds an input.
"""


def _parameters() -> list[dict[str, Any]]:
    n = {
        "name": "n",
        "in": "query",
        "required": True,
        "description": "Which figure: 0 for the first the program made.",
        "schema": {"type": "integer", "minimum": 0, "title": "N"},
    }
    return [*query_parameters()[:2], n, *query_parameters()[2:]]


@router.get(
    "/figure.{fmt}",
    operation_id="figure",
    summary="One figure a program draws with matplotlib (svg or png)",
    description=_DESCRIPTION,
    openapi_extra={"parameters": _parameters()},
    responses={
        200: {
            "content": {"image/svg+xml": {}, "image/png": {}},
            "description": "The figure.",
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)."},
        **PROBLEM_RESPONSES,
    },
)
async def figure(request: Request, fmt: FigureFormat) -> Response:
    return await remembered_image(
        request, "figure", lambda: figure_from_query(request.query_params.multi_items(), fmt)
    )
