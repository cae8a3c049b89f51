"""GET /api/v1/examples: the lecture's lessons, in the notebook's order."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter

from app.api.schemas import Example, Examples

router = APIRouter(prefix="/api/v1", tags=["examples"])

LESSONS = Path(__file__).resolve().parent.parent / "data" / "seed-lessons.json"


@lru_cache(maxsize=1)
def load_examples() -> Examples:
    data = json.loads(LESSONS.read_text())
    return Examples(
        examples=[
            Example(
                id=lesson["id"],
                title=lesson["title"],
                source=lesson["source"],
                inputs=lesson.get("inputs", {}),
                output=lesson.get("output"),
                note=lesson.get("note"),
            )
            for lesson in data["lessons"]
        ]
    )


@router.get("/examples", operation_id="examples", summary="The lesson gallery")
async def examples() -> Examples:
    return load_examples()
