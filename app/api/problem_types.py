"""GET /problems/{code}: what each problem `type` URI means (RFC 9457 asks
that the type be a URI a person can read)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from app.api.problems import CODES

router = APIRouter(tags=["operations"])


class ProblemType(BaseModel):
    code: str
    title: str
    description: str


@router.get(
    "/problems/{code}",
    operation_id="problem_type",
    summary="What a problem code means",
    responses={404: {"description": "No such code."}},
)
async def problem_type(code: str) -> ProblemType:
    if code not in CODES:
        raise HTTPException(404, f"There is no problem type {code!r}.")
    title, description = CODES[code]
    return ProblemType(code=code, title=title, description=description)
