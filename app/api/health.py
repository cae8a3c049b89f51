"""GET /healthz: liveness and readiness for load balancers, Docker and Kubernetes.

Ready means at least one evaluation process is alive: a pod whose pool is
still starting (or has lost every process at once) answers 503 so the load
balancer sends its traffic elsewhere until the pool is back. It also says
how late this server process's event loop has run over the last minute
(app.loop_lag): what every request waited for, besides its own work.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

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


class LoopHealth(BaseModel):
    worst_lag_ms: float = Field(
        description="The longest the event loop was late over the last minute, milliseconds."
    )


class Health(BaseModel):
    status: str
    version: str
    pool: PoolHealth
    event_loop: LoopHealth | None = None


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
        event_loop=LoopHealth(worst_lag_ms=round(service.loop_lag.worst() * 1000, 1)),
    )
    return JSONResponse(
        health.model_dump(),
        status_code=200 if ready else 503,
        headers={"Cache-Control": "no-store"},
    )
