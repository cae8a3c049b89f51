"""HTTP routes, one module a resource; `router` includes them all."""

from __future__ import annotations

from fastapi import APIRouter

from app.api import health

router = APIRouter()
router.include_router(health.router)
