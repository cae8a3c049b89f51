"""Dependencies shared by the routes."""

from __future__ import annotations

from fastapi import Request
from starlette.exceptions import HTTPException

from app.service import Service


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def require_json(request: Request) -> None:
    """POST bodies are JSON: anything else is a 415 problem, before parsing."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise HTTPException(415, "The request body must be JSON (Content-Type: application/json).")
