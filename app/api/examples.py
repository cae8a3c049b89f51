"""GET /api/v1/examples: the lesson gallery, in the notebook's order.

The lecture's own lessons (data/seed-lessons.json, with the answers real
PyTorch gives) come first in their order; data/gallery.json places more
after them: programs of data/real-code.json shown verbatim, and lessons of
its own, each after the lesson it names.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response

from app.api.assets import REVALIDATE, accepts_gzip
from app.api.schemas import Example, Examples

router = APIRouter(prefix="/api/v1", tags=["examples"])

DATA = Path(__file__).resolve().parent.parent / "data"


def _example(lesson: dict[str, Any]) -> Example:
    return Example(
        id=lesson["id"],
        title=lesson["title"],
        source=lesson["source"],
        inputs=lesson.get("inputs", {}),
        output=lesson.get("output"),
        note=lesson.get("note"),
    )


def _read(path: Path) -> list[dict[str, Any]]:
    lessons: list[dict[str, Any]] = json.loads(path.read_text())["lessons"]
    return lessons


def gallery_lessons(data: Path = DATA) -> list[dict[str, Any]]:
    """Every lesson of the gallery as its JSON record, in the gallery's order."""
    lessons = _read(data / "seed-lessons.json")
    real_code = {entry["id"]: entry for entry in _read(data / "real-code.json")}
    for extra in _read(data / "gallery.json"):
        lesson = dict(real_code[extra["from_real_code"]]) if "from_real_code" in extra else {}
        lesson.update({k: v for k, v in extra.items() if k not in ("after", "from_real_code")})
        at = next(i for i, known in enumerate(lessons) if known["id"] == extra["after"])
        # After the named lesson and the extras already placed after it.
        while at + 1 < len(lessons) and lessons[at + 1].get("placed_after") == extra["after"]:
            at += 1
        lessons.insert(at + 1, {**lesson, "placed_after": extra["after"]})
    return lessons


@lru_cache(maxsize=1)
def load_examples() -> Examples:
    return Examples(examples=[_example(lesson) for lesson in gallery_lessons()])


@lru_cache(maxsize=1)
def _variants() -> tuple[bytes, bytes, str]:
    """The gallery's JSON, gzipped, and their tag: made once, the same bytes in
    every process (gzip's mtime 0), so a page's every visit revalidates it."""
    body = load_examples().model_dump_json().encode()
    tag = hashlib.sha256(body).hexdigest()[:20]
    return body, gzip.compress(body, compresslevel=9, mtime=0), tag


@router.get(
    "/examples", operation_id="examples", summary="The lesson gallery", response_model=Examples
)
async def examples(request: Request) -> Response:
    body, packed, tag = _variants()
    zipped = accepts_gzip(request.headers.get("accept-encoding", ""))
    etag = f'"{tag}-gz"' if zipped else f'"{tag}"'
    headers = {"ETag": etag, "Cache-Control": REVALIDATE, "Vary": "Accept-Encoding"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if zipped:
        headers["Content-Encoding"] = "gzip"
    return Response(packed if zipped else body, media_type="application/json", headers=headers)
