"""Prometheus metrics on /metrics (prometheus-fastapi-instrumentator).

With several server processes, set PROMETHEUS_MULTIPROC_DIR to an empty
directory before they start (`python -m app serve` does it for you), so
/metrics sums every process, not the one that happened to answer.
"""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_fastapi_instrumentator import Instrumentator


def install(app: FastAPI) -> None:
    Instrumentator(
        excluded_handlers=["/metrics", "/static/.*"],
        should_group_status_codes=False,
    ).instrument(app).expose(app, endpoint="/metrics", include_in_schema=False)
