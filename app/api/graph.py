"""GET /api/v1/graph.{svg,png,dot,json}: the graph alone, for <img src>.

The URL is the request: `source`, `output`, options by name, every other
parameter an input. Answers are content-addressed: a strong ETag from the
canonical request and the app version, so a revalidation costs a hash and a
304, before any evaluation.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.api.deps import get_service
from app.api.schemas import PROBLEM_RESPONSES
from app.job import RankDir, Style, Theme
from app.query import job_from_query
from app.service import Keyed, Service

router = APIRouter(prefix="/api/v1", tags=["graph"])

GraphFormat = Literal["svg", "png", "dot", "json"]

_DESCRIPTION = """The rendered autograd graph of a program, for `<img src>` and downloads.

Every query parameter other than `source`, `output` and the options binds an
input: `?source=3*sin(x)%2Bx%2B3&x=5`. A list is written as JSON: `w=[1,2,3]`.
"""


def cached_response(
    request: Request, etag: str, max_age: int, body: bytes | None, media_type: str
) -> Response:
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if body is None:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    return header.strip() == "*" or etag in [tag.strip() for tag in header.split(",")]


@router.get(
    "/graph.{fmt}",
    operation_id="graph",
    summary="The rendered graph of a program (svg, png, dot or json)",
    description=_DESCRIPTION,
    responses={
        200: {
            "content": {
                "image/svg+xml": {},
                "image/png": {},
                "text/vnd.graphviz": {},
                "application/json": {},
            },
            "description": "The graph.",
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)."},
        **PROBLEM_RESPONSES,
    },
)
async def graph(
    request: Request,
    fmt: GraphFormat,
    service: Annotated[Service, Depends(get_service)],
    source: Annotated[str, Query(description="The program or expression.")],
    output: Annotated[str | None, Query(description="The name to draw.")] = None,
    style: Style = "default",
    rankdir: RankDir = "TB",
    show_values: bool = True,
    show_grads: bool = True,
    show_edge_grads: bool = True,
    group_loops: bool = True,
    show_attrs: bool = False,
    show_saved: bool = False,
    theme: Theme = "light",
) -> Response:
    # The declared parameters document and validate the options; the job is
    # built from the raw query so inputs (undeclared names) are bound too.
    job = job_from_query(request.query_params.multi_items(), fmt=fmt)
    return await image_response(request, service, job, "image")


async def image_response(request: Request, service: Service, job: Keyed, kind: str) -> Response:
    """A content-addressed image: 304 when the client has it, else the answer."""
    etag = f'"{job.key()}"'
    max_age = service.settings.cache_max_age_s
    if not_modified(request, etag):
        return cached_response(request, etag, max_age, None, "")
    answer = await service.run(job, kind)
    return cached_response(request, etag, max_age, answer.body, answer.media_type)
