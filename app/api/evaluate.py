"""POST /api/v1/evaluate: value, gradients, graph model and SVG as JSON.

The route below is the endpoint and its documentation. `DirectEvaluate`, a
pure ASGI middleware inside all the others, serves the common case before
FastAPI routes it: a JSON body that validates as an EvaluateRequest and a
Job goes straight to the service, and its answer, or the problem the app's
own exception handler makes of its error, is sent as the route would. In
the server process that skips FastAPI's routing, dependency solving and
body machinery, about a fifth of the CPU a request costs there
(BENCHMARKS.md). Anything else (another content type, a body that does not
validate) is handed to the route unchanged, its body replayed, so every
refusal is the route's own.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.deps import get_service, require_json
from app.api.schemas import PROBLEM_RESPONSES, EvaluateRequest, EvaluateResult
from app.errors import InvalidRequest, VisualizerError
from app.job import Job
from app.query import describe_validation
from app.service import Service

router = APIRouter(prefix="/api/v1", tags=["evaluate"])


@router.post(
    "/evaluate",
    operation_id="evaluate",
    summary="Run a program: value, gradients, autograd graph",
    response_model=EvaluateResult,
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(require_json)],
)
async def evaluate(
    body: EvaluateRequest, service: Annotated[Service, Depends(get_service)]
) -> Response:
    try:
        job = Job(source=body.source, inputs=body.inputs, output=body.output, options=body.options)
    except ValidationError as exc:
        raise InvalidRequest(describe_validation(exc)) from None
    answer = await service.run(job, "evaluate")
    # The worker already produced the JSON: pass its bytes through untouched.
    return Response(answer.body, media_type="application/json")


PATH = "/api/v1/evaluate"


class DirectEvaluate:
    """The route's common case, before routing (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        # require_json's test: anything else is the route's 415.
        media = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
        service: Service | None = getattr(scope["app"].state, "service", None)
        if media != "application/json" or service is None:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        job = _job(body)
        if job is None:  # the route makes the same checks and says what failed
            await self.app(scope, _replay(body, receive), send)
            return
        try:
            answer = await service.run(job, "evaluate")
        except VisualizerError as exc:
            response = await _problem(scope, exc)
        else:
            response = Response(answer.body, media_type="application/json")
        await response(scope, receive, send)


def _job(body: bytes) -> Job | None:
    """The Job the route would build from this body, or None if it would refuse it."""
    try:
        data: Any = json.loads(body)
        request = EvaluateRequest.model_validate(data)
        return Job(
            source=request.source,
            inputs=request.inputs,
            output=request.output,
            options=request.options,
        )
    # JSONDecodeError and UnicodeDecodeError are ValueErrors; RecursionError is
    # json's answer to arrays or objects nested about a thousand deep.
    except (ValueError, ValidationError, RecursionError):
        return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # after the body: a disconnect, when it comes
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _problem(scope: Scope, exc: VisualizerError) -> Response:
    """The response the app's exception handler gives `exc` (app.api.problems)."""
    handlers = scope["app"].exception_handlers
    handler = next(handlers[cls] for cls in type(exc).__mro__ if cls in handlers)
    response: Response = await handler(Request(scope), exc)
    return response
