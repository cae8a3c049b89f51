"""GET /api/v1/examples: the lesson gallery, in the notebook's order.

The lecture's own lessons (data/seed-lessons.json, with the answers real
PyTorch gives) come first in their order; data/gallery.json places more
after them: programs of data/real-code.json shown verbatim, and lessons of
its own, each after the lesson it names.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response

from app.api.assets import REVALIDATE, Packed
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
def _packed() -> Packed:
    """The gallery's JSON, plain and gzipped: made once, the same bytes and
    ETags in every process, so a page's every visit revalidates it."""
    return Packed.of(load_examples().model_dump_json().encode(), "application/json")


@router.get(
    "/examples", operation_id="examples", summary="The lesson gallery", response_model=Examples
)
async def examples(request: Request) -> Response:
    return _packed().response(request.headers, REVALIDATE)
