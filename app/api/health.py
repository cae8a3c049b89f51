"""GET /healthz: liveness and readiness for load balancers, Docker and Kubernetes.

200 means this server process can answer an evaluation now: an evaluation
process is ready, or every one is being replaced and replacing them works
(`WorkerPool.serving`). Processes are replaced all the time in normal
service: each request that left too much behind (a leaking program, one
that ran out of memory or time) retires its own, and with one client
sending such programs in a loop none is ready about a third of the time,
for the tens of milliseconds a fork takes; requests wait in the line
meanwhile. Counting only ready processes made /healthz answer 503 to a
quarter of its probes then (audit16 F3), and one client could take a pod
out of its Service. 503 means it cannot: the pool is not started yet or
is shutting down, or the last attempt to start an evaluation process
failed (its fork server cannot start again, the handler cannot load), so
the load balancer sends traffic elsewhere until a retry succeeds. It also
says how late this server process's event loop has run over the last
minute (app.loop_lag): what every request waited for, besides its own work.
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
    alive: int = Field(description="Evaluation processes ready: idle or busy.")
    starting: int = Field(0, description="Evaluation processes being started (replacements).")
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
        200: {
            "model": Health,
            "description": "Evaluations are answered: an evaluation process is ready, or all "
            "are being replaced (requests wait for them).",
        },
        503: {
            "model": Health,
            "description": "Evaluations cannot be answered: the pool is starting or stopping, "
            "or evaluation processes cannot be started (retried in the background).",
        },
    },
)
async def healthz(service: Annotated[Service, Depends(get_service)]) -> JSONResponse:
    stats = service.pool.stats()
    ready = service.pool.serving()
    health = Health(
        status="ok" if ready else "unavailable",
        version=__version__,
        pool=PoolHealth(
            size=stats.size,
            alive=stats.alive,
            starting=stats.starting,
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
