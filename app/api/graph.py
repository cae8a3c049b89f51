"""GET /api/v1/graph.{svg,png,dot,json}: the graph alone, for <img src>; and
the machinery every content-addressed image shares (figure.*, optimize.svg,
plot.svg).

The URL is the request: `source`, `output`, options by name, every other
parameter an input. Answers are content-addressed: a strong ETag from the
canonical request's key and the build (`entity_tag`: the app's version and
code and the libraries that draw, app.service.build_id), so a revalidation
costs a hash and a 304, before any evaluation, and a deploy that draws
differently does not answer 304 for the old drawing. HEAD answers as GET
does, without the body (app.middleware.Head).

A URL asked for before costs less still: the route remembers what each raw
query meant (its job and key), and `CachedImages`, a pure ASGI middleware
inside all the others, answers a GET for such a URL straight from the answer
cache, before FastAPI routes it and solves its dependencies, which is most
of what a cached answer costs otherwise (BENCHMARKS.md). The bytes, status
and headers are the route's own (`cached_response`), and every outer
middleware (request id, security headers, CORS, rate limit, metrics) still
runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.schemas import PROBLEM_RESPONSES
from app.job import RenderOptions
from app.query import job_from_query
from app.service import Keyed, Service

router = APIRouter(prefix="/api/v1", tags=["graph"])

GraphFormat = Literal["svg", "png", "dot", "json"]

_DESCRIPTION = """The rendered autograd graph of a program, for `<img src>` and downloads.

Every query parameter other than `source`, `output` and the options binds an
input: `?source=3*sin(x)%2Bx%2B3&x=5`. A list is written as JSON: `w=[1,2,3]`.
"""


def query_parameters() -> list[dict[str, Any]]:
    """The documented query parameters: the program, the output and RenderOptions.

    Written into the OpenAPI document rather than declared on the function:
    FastAPI would validate eleven parameters on every request (about a third
    of a cached answer's time, BENCHMARKS.md), and `job_from_query` checks
    them all anyway, with the same 422 problem for a bad value.
    """
    parameters: list[dict[str, Any]] = [
        {
            "name": "source",
            "in": "query",
            "required": True,
            "description": "The program or expression.",
            "schema": {"type": "string", "title": "Source"},
        },
        {
            "name": "output",
            "in": "query",
            "required": False,
            "description": "The name to draw.",
            "schema": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Output"},
        },
    ]
    for name, schema in RenderOptions.model_json_schema()["properties"].items():
        schema = dict(schema)
        description = schema.pop("description", None)
        parameter = {"name": name, "in": "query", "required": False, "schema": schema}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def cached_response(
    request: Request, etag: str, max_age: int, body: bytes | None, media_type: str
) -> Response:
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if body is None:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def entity_tag(key: str, build: str) -> str:
    """The strong ETag of the answer to the request whose key is `key`."""
    return f'"{key}-{build}"'


# Only URLs up to this long are remembered (with their job, the program
# again): a thousand entries of 60,000-character queries would hold about
# 100 MB. A longer one (a long program's) is worked out again each time,
# about 0.1 ms, and its answer still comes from the answer cache.
MEMO_QUERY_BYTES = 4096


# An entity-tag of If-None-Match (RFC 9110 8.8.3): an optional weakness
# prefix and a quoted opaque tag, which may hold a comma.
_ENTITY_TAGS = re.compile(r'(?:W/)?("[\x21\x23-\x7e\x80-\xff]*")')


def not_modified(request: Request, etag: str, *, answered: bool) -> bool:
    """If-None-Match by weak comparison (RFC 9110 13.1.2): `W/"x"` matches `"x"`,
    any tag of a list may match, and `*` matches an answer that exists: only
    once the request is `answered` (a program that fails has no answer to
    keep, so it gets its problem, not a 304: RFC 9110 13.2.1)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    if header.strip() == "*":
        return answered
    return etag in _ENTITY_TAGS.findall(header)


@router.get(
    "/graph.{fmt}",
    operation_id="graph",
    summary="The rendered graph of a program (svg, png, dot or json)",
    description=_DESCRIPTION,
    openapi_extra={"parameters": query_parameters()},
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
async def graph(request: Request, fmt: GraphFormat) -> Response:
    # The job is built from the raw query so inputs (undeclared names) are bound too.
    return await remembered_image(
        request, "image", lambda: job_from_query(request.query_params.multi_items(), fmt=fmt)
    )


async def remembered_image(request: Request, kind: str, build: Callable[[], Keyed]) -> Response:
    """The image a URL asks for: a URL asked for before is the same job, its
    canonical key remembered by the raw path and query, so a repeated <img>
    skips parsing and hashing (and, once answered, routing: CachedImages).
    `build` makes the job from the query the first time; `kind` names the
    work (app.pipeline)."""
    service: Service = request.app.state.service
    remembered = (request.scope["path"], request.scope["query_string"])
    known = service.requests.get(remembered)
    if known is None:
        built = build()
        known = (built, built.key())
        if len(remembered[1]) <= MEMO_QUERY_BYTES:
            service.requests.put(remembered, known)
    job, key = known
    return await image_response(request, service, job, kind, key=key)


async def image_response(
    request: Request, service: Service, job: Keyed, kind: str, *, key: str | None = None
) -> Response:
    """A content-addressed image: 304 when the client has it, else the answer.

    `key` is `job.key()` when the caller already has it.
    """
    key = key or job.key()
    etag = entity_tag(key, service.build)
    max_age = service.settings.cache_max_age_s
    if not_modified(request, etag, answered=False):  # the client holds this very answer
        return cached_response(request, etag, max_age, None, "")
    answer = await service.run(job, kind, key=key)
    if not_modified(request, etag, answered=True):
        return cached_response(request, etag, max_age, None, "")
    return cached_response(request, etag, max_age, answer.body, answer.media_type)


class CachedImages:
    """Answers GET /api/v1/graph.* and figure.* from the answer cache when the
    URL was worked out before and its answer is still cached; anything else
    goes on to the router unchanged."""

    # The paths of remembered images, and the kind of work that answers each.
    KINDS = {"/api/v1/graph.": "image", "/api/v1/figure.": "figure"}

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = None
        if scope["type"] == "http" and scope["method"] == "GET":
            kind = next((k for p, k in self.KINDS.items() if scope["path"].startswith(p)), None)
        if kind is not None:
            service: Service | None = getattr(scope["app"].state, "service", None)
            known = (
                None
                if service is None
                else service.requests.get((scope["path"], scope["query_string"]))
            )
            if service is not None and known is not None:
                _, key = known
                answer = service.cached(kind, key)
                if answer is not None:
                    request = Request(scope)
                    etag = entity_tag(key, service.build)
                    max_age = service.settings.cache_max_age_s
                    if not_modified(request, etag, answered=True):
                        response = cached_response(request, etag, max_age, None, "")
                    else:
                        response = cached_response(
                            request, etag, max_age, answer.body, answer.media_type
                        )
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
