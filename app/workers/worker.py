"""One worker process as the pool sees it: a socket, a state, at most one request.

    starting --ready--> idle <--answer-- busy
                          |               |
                          +---> retiring (killed, or told it would exit) ---> dead

The socket is an asyncio transport, so a worker's death is its socket's
end of stream, seen at once, whatever killed it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast

from app.workers.protocol import MAX_PAYLOAD, FrameDecoder, Message, ProtocolError

State = Literal["starting", "idle", "busy", "retiring", "dead"]
Reply = tuple[Message, bytes | None]


@dataclass(slots=True)
class Pending:
    """The request a busy worker is running."""

    request_id: str
    future: asyncio.Future[Reply]
    deadline: asyncio.TimerHandle


class Worker(asyncio.Protocol):
    """Frames in, callbacks out: the pool decides what each event means."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        on_message: Callable[[Worker, Message, bytes | None], None],
        on_broken: Callable[[Worker, str], None],
        on_lost: Callable[[Worker], None],
        max_payload: int = MAX_PAYLOAD,
    ) -> None:
        self.state: State = "starting"
        self.pid: int | None = None
        self.transport: asyncio.Transport | None = None
        self.ready: asyncio.Future[Message] = loop.create_future()  # its first frame
        self.pending: Pending | None = None
        self.expected_exit = False  # killed or retired by us: not a crash
        self.exited = False  # reaped by the fork server: its pid may be reused
        self._decoder = FrameDecoder(max_payload)
        self._on_message = on_message
        self._on_broken = on_broken
        self._on_lost = on_lost

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            for message, payload in self._decoder.feed(data):
                self._on_message(self, message, payload)
        except ProtocolError as exc:
            self._on_broken(self, str(exc))

    def connection_lost(self, exc: Exception | None) -> None:
        self._on_lost(self)
