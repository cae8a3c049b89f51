"""GET /healthz: liveness and readiness for load balancers, Docker and Kubernetes.

Ready means at least one evaluation process is alive: a pod whose pool is
still starting (or has lost every process at once) answers 503 so the load
balancer sends its traffic elsewhere until the pool is back.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app import __version__
from app.api.deps import get_service
from app.service import Service

router = APIRouter(tags=["operations"])


class PoolHealth(BaseModel):
    size: int
    alive: int
    busy: int
    waiting: int
    restarts: int


class Health(BaseModel):
    status: str
    version: str
    pool: PoolHealth


@router.get(
    "/healthz",
    operation_id="healthz",
    summary="Liveness and readiness",
    responses={
        200: {"model": Health, "description": "At least one evaluation process is alive."},
        503: {"model": Health, "description": "No evaluation process is alive."},
    },
)
async def healthz(service: Annotated[Service, Depends(get_service)]) -> JSONResponse:
    stats = service.pool.stats()
    ready = stats.alive > 0
    health = Health(
        status="ok" if ready else "starting",
        version=__version__,
        pool=PoolHealth(
            size=stats.size,
            alive=stats.alive,
            busy=stats.busy,
            waiting=stats.waiting,
            restarts=stats.restarts,
        ),
    )
    return JSONResponse(
        health.model_dump(),
        status_code=200 if ready else 503,
        headers={"Cache-Control": "no-store"},
    )
