"""GET /healthz: liveness and readiness for load balancers and Docker."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app import __version__

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str
    version: str


@router.get("/healthz", operation_id="healthz", summary="Liveness and readiness")
async def healthz() -> Health:
    return Health(status="ok", version=__version__)
