"""A handler module that will not load while a marker file exists: a fork
server started then fails, as one that cannot come back does (a broken
install, a full disk). The marker is named after the process that started
the pool, so tests running side by side do not meet each other's."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


def marker(pool_owner: int) -> Path:
    return Path(tempfile.gettempdir()) / f"autograd-viz-fragile-{pool_owner}"


if marker(os.getppid()).exists():
    raise ImportError("this handler cannot load now, on purpose")


def handle(request: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    return {"pid": os.getpid()}, None
