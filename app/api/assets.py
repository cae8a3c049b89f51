"""/static: the page's own files (script, styles, fonts), whole.

Starlette's StaticFiles answers byte ranges, and a malformed or
unsatisfiable Range header with a text/plain 400 or 416, outside the
problem+json every other 4xx is. RFC 9110 14.2 lets a server ignore Range,
and these files are a few kilobytes: they are always answered whole (200),
and the answers no longer offer ranges (Accept-Ranges).
"""

from __future__ import annotations

from fastapi.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send


class Assets(StaticFiles):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        headers = [(name, value) for name, value in scope["headers"] if name.lower() != b"range"]

        async def no_ranges(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(n, v) for n, v in message["headers"] if n.lower() != b"accept-ranges"]
                message = {**message, "headers": kept}
            await send(message)

        await super().__call__({**scope, "headers": headers}, receive, no_ranges)
