"""POST /api/v1/evaluate: value, gradients, graph model and SVG as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import ValidationError

from app.api.deps import get_service, require_json
from app.api.schemas import PROBLEM_RESPONSES, EvaluateRequest, EvaluateResult
from app.errors import InvalidRequest
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
