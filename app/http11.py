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
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # uvicorn leaves it None unless set; h11's own default then.
        self._head_limit: int = self.config.h11_max_incomplete_event_size or 16 * 1024
        self._head_bytes = 0
        self._in_head = True  # between requests or inside a request's head

    def data_received(self, data: bytes) -> None:
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
        self._in_head = False
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True
