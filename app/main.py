"""The ASGI application: `uvicorn app.main:app`.

A few lines: settings, the service (worker pool and cache) in the lifespan,
middleware, routes, error handlers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import __version__, metrics
from app.api import problems
from app.api.assets import Assets, CompressedPages
from app.api.evaluate import DirectEvaluate
from app.api.graph import CachedImages
from app.api.routes import router
from app.api.templating import STATIC_DIR
from app.metrics import HttpMetrics
from app.middleware import (
    Cors,
    Faults,
    Head,
    RateLimit,
    RelativeRedirects,
    RequestContext,
    RequestLimits,
)
from app.service import Service
from app.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = Service(settings)
        await service.start()
        app.state.service = service
        try:
            yield
        finally:
            await service.close()

    app = FastAPI(
        title="autograd-viz",
        version=__version__,
        summary="The value, the gradients and the autograd graph of a PyTorch program.",
        lifespan=lifespan,
        docs_url=None,  # app.api.docs serves it under a strict CSP
        redoc_url=None,
    )
    app.state.settings = settings
    app.include_router(router)
    app.mount("/static", Assets(directory=STATIC_DIR), name="static")
    problems.install(app)
    if settings.metrics:
        metrics.expose(app)

    # Added inside-out: the last added runs first. Innermost: a repeated
    # graph.* URL is answered from the cache, and a valid evaluate request is
    # run, before routing (app.api.graph, app.api.evaluate).
    app.add_middleware(CachedImages)
    app.add_middleware(DirectEvaluate)
    app.add_middleware(CompressedPages)
    app.add_middleware(Head)
    app.add_middleware(RelativeRedirects)
    if settings.rate_limit_per_minute > 0:
        app.add_middleware(RateLimit, per_minute=settings.rate_limit_per_minute)
    app.add_middleware(RequestLimits, settings=settings)
    # Every answer made inside this point, the refusals of the middleware
    # above and the last-resort 500 (Faults) included, goes out through CORS
    # and the metrics: a cross-origin caller can read a 429's Retry-After, and
    # /metrics counts it. Preflights are answered by CORS, before the limits.
    app.add_middleware(Faults)
    app.add_middleware(
        Cors,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "If-None-Match", "X-Request-ID"],
        expose_headers=[
            "ETag",
            "X-Request-ID",
            "Retry-After",
            "X-Problem-Code",
            "X-Problem-Type",
            "X-Problem-Line",
            "X-Problem-Column",
        ],
        max_age=86_400,
    )
    if settings.metrics:
        app.add_middleware(HttpMetrics)
    app.add_middleware(RequestContext)
    return app


app = create_app()
