"""A fixed 5 KB SVG from a dict: `uvicorn bench.references.dict_svg:app`.

GET /api/v1/graph.svg?source=... looks the source up in a dict and answers
the SVG it finds: the least an endpoint can do for a cached <img>.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import Response

SOURCE = "3*sin(x)+x+3"


def _svg(size: int = 5 * 1024) -> bytes:
    head = '<svg xmlns="http://www.w3.org/2000/svg" width="200pt" height="300pt">\n'
    tail = "</svg>\n"
    line = '<text x="10" y="20" font-family="Helvetica" font-size="10">grad 1.851</text>\n'
    body = line * ((size - len(head) - len(tail)) // len(line))
    text = head + body
    return (text + " " * (size - len(text) - len(tail)) + tail).encode()


ANSWERS = {SOURCE: _svg()}

app = FastAPI()


@app.get("/api/v1/graph.svg")
async def graph(source: str) -> Response:
    return Response(ANSWERS[source], media_type="image/svg+xml")


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
