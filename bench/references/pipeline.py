"""The plain pipeline in one endpoint: `uvicorn bench.references.pipeline:app`.

POST /api/v1/evaluate with our request body (`{"source", "inputs"}`) runs the
lecture's `3*sin(x) + x + 3` with torch (the source is not read: there is no
interpreter here), backward, `torchviz.make_dot`, and renders the DOT with one
long-lived `dot -Tsvg` per server process. It answers value, gradient and SVG
as JSON. Everything runs on the event loop, as a bare endpoint would.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import torch
import torchviz
from fastapi import FastAPI
from fastapi.responses import Response
from pydantic import BaseModel

from bench.references.dot_process import DotProcess

torch.set_num_threads(1)  # as our evaluation processes run


class Body(BaseModel):
    source: str
    inputs: dict[str, Any] = {}


def create_app(render: Callable[[str], bytes], on_start: Callable[[], None]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        on_start()
        yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/api/v1/evaluate")
    async def evaluate(body: Body) -> Response:
        x = torch.tensor(float(body.inputs.get("x", 5.0)), requires_grad=True)
        y = 3 * torch.sin(x) + x + 3
        y.backward()
        svg = render(torchviz.make_dot(y, params={"x": x}).source)
        assert x.grad is not None
        document = {"value": y.item(), "gradients": {"x": x.grad.item()}, "svg": svg.decode()}
        return Response(json.dumps(document).encode(), media_type="application/json")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


_dot = DotProcess()
app = create_app(_dot.render, _dot.start)
