"""The ASGI application: `uvicorn app.main:app`."""

from __future__ import annotations

from fastapi import FastAPI

from app import __version__
from app.api import router
from app.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="autograd-viz",
        version=__version__,
        summary="The value, the gradients and the autograd graph of a PyTorch program.",
    )
    app.state.settings = settings
    app.include_router(router)
    return app


app = create_app()
