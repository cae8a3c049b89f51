"""The HTTP/1.1 protocol `python -m app serve` runs: httptools, with a bounded head.

uvicorn's httptools protocol parses requests in C (llhttp) and costs about
half what its h11 protocol does per request: on the benchmark's cached
<img> answer, 1.6 times the requests a second (BENCHMARKS.md). But it holds
a request line and headers of any length while they arrive (the URL and
each header are joined in Python until they end), so one client sending a
header that never ends grows the server without bound; h11 refuses past
`h11_max_incomplete_event_size` bytes.

This protocol is httptools with that bound: while the parser is between
requests or inside a request's head, it is fed at most what is left of
`h11_max_incomplete_event_size` (our `max_header_bytes`) bytes, counted from
the end of the previous request; a head that needs more gets h11's answer,
a plain 400 with `connection: close`, and the connection is closed. Bodies
are not counted (their limit is the app's), and requests pipelined in one
read are each counted from where the previous one ended, to within the
bytes fed in the step that ended it, so no head is ever held past about
twice the bound.

It also bounds the time a head may take (slowloris): from the connection's
opening, and on a kept-alive connection from the end of the previous
response, a client has `header_timeout_s` (AUTOGRAD_VIZ_HEADER_TIMEOUT_S)
to complete its request line and headers; sending more does not extend it.
Past it, a connection that has sent part of a head gets a plain 408 with
`connection: close` and is closed; one that has sent nothing (or only the
rest of a body answered before it was read) is closed without a word, as
keep-alive closes one. Nothing runs against a request whose head is
complete (its body has the app's deadline, app.middleware) or its response.

A request that arrives whole costs the clock nothing: its one `call_later`
handle is armed when a connection opens and cancelled when a head
completes. After a response, uvicorn's keep-alive handle (made no longer than our deadline)
closes a connection that sends nothing; the first bytes that come cancel it
and, unless they complete a head at once (as a request in one packet does),
arm ours for the response's end (the keep-alive handle's time, less
keep-alive) plus the deadline. (Bytes of a pipelined head that came before
the response ended and are followed by nothing are left to keep-alive,
which closes the connection earlier, without the 408.)
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app.settings import get_settings


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, head_timeout_s: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # uvicorn leaves it None unless set; h11's own default then.
        self._head_limit: int = self.config.h11_max_incomplete_event_size or 16 * 1024
        self._head_bytes = 0
        self._in_head = True  # between requests or inside a request's head
        # uvicorn builds this class from its name alone (in each worker process
        # too), so the deadline comes from the settings unless given.
        if head_timeout_s is None:
            head_timeout_s = get_settings().header_timeout_s
        self._head_timeout = head_timeout_s
        self._head_timer: asyncio.TimerHandle | None = None
        # Idle after a response is having sent nothing of the next head: no
        # longer than the head deadline (and keep-alive's handle then stands for ours).
        if self.timeout_keep_alive > head_timeout_s:
            self.timeout_keep_alive = head_timeout_s  # type: ignore[assignment]  # call_later's float

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer = self.loop.call_later(self._head_timeout, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        idle = self.timeout_keep_alive_task  # set: the first bytes since a response
        self._feed(data)
        if idle is not None and self.cycle.response_complete and not self.transport.is_closing():
            # They did not complete a head: it has until the response's end plus the deadline.
            due = idle.when() - self.timeout_keep_alive + self._head_timeout
            self._head_timer = self.loop.call_at(due, self._head_timed_out)

    def _feed(self, data: bytes) -> None:
        while data:
            if not self._in_head:  # a body, and what follows it: the parser takes it all
                super().data_received(data)
                return
            room = self._head_limit - self._head_bytes
            if room <= 0:
                self._in_head = False  # answered once; the transport closes
                self.send_400_response("Invalid HTTP request received.")
                return
            piece, data = data[:room], data[room:]
            self._head_bytes += len(piece)
            super().data_received(piece)  # may end this head, and start the next
            if self.transport.is_closing():
                return

    def on_headers_complete(self) -> None:
        if self._head_timer is not None:  # a whole head, in time: no deadline of ours now
            self._head_timer.cancel()
            self._head_timer = None
        self._in_head = False
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self._in_head and self._head_bytes:  # part of a request: tell it why
            message = f"The request head did not arrive within {self._head_timeout:g} s."
            content = [STATUS_LINE[408]]
            for name, value in self.server_state.default_headers:
                content.extend([name, b": ", value, b"\r\n"])
            content.extend(
                [
                    b"content-type: text/plain; charset=utf-8\r\n",
                    b"content-length: %d\r\n" % len(message),
                    b"connection: close\r\n",
                    b"\r\n",
                    message.encode("ascii"),
                ]
            )
            self.transport.write(b"".join(content))
        self.transport.close()
