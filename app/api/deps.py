"""Dependencies shared by the routes."""

from __future__ import annotations

from fastapi import Request

from app.service import Service


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service
