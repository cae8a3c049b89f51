"""A handler module whose warm_up fails: the pool must refuse to start, cleanly."""

from __future__ import annotations

from typing import Any


def warm_up() -> None:
    raise RuntimeError("warm-up failed on purpose")


def handle(request: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    return {}, None
