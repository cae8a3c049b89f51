"""Dependencies shared by the routes.

Coroutines, though they never wait: FastAPI runs a plain `def` dependency
in a thread pool, a hop there and back on every request (about a fifth of
a small request's time in the server process, BENCHMARKS.md).
"""

from __future__ import annotations

from fastapi import Request
from starlette.exceptions import HTTPException

from app.service import Service


async def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


async def require_json(request: Request) -> None:
    """POST bodies are JSON: anything else is a 415 problem, before parsing.
    (A Content-Encoding is refused earlier, by app.middleware.RequestLimits.)"""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise HTTPException(415, "The request body must be JSON (Content-Type: application/json).")
