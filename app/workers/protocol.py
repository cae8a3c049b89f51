"""What crosses the boundary between the pool and a worker: frames of JSON and bytes.

A frame is an 8-byte header (the JSON length, then the payload length or -1
for no payload; both big-endian), a JSON object, then the raw payload bytes
(a PNG, an SVG). JSON and not pickle: user text crosses this boundary, and
unpickling runs whatever the bytes ask for; JSON only ever builds dicts,
lists, strings and numbers. The JSON is ASCII-escaped so any Python string,
lone surrogates included, survives the round trip unchanged.

Messages (the `id` of an answer echoes its request's):

    pool -> worker   {"id", "request"}
    worker -> pool   {"ready": pid} | {"failed": why}            once, at start
                     {"id", "ok": answer} + payload | {"id", "error": {...}}
                     | {"id", "internal": true};  "last": true when it then exits

Errors travel as their class names (most derived first) and their instance
attributes; the pool raises the first class it knows with the same fields.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from typing import Any, BinaryIO

from app.errors import VisualizerError

HEADER = struct.Struct("!Ii")
# The JSON of a frame is read in the pool's event loop: requests, answers'
# metadata and errors are small (an error's detail is cut at 2,000
# characters). Payloads are answers' bodies; a pool may allow less
# (WorkerPool's max_payload: the server's is the answer's byte limit).
MAX_JSON = 16 << 20
MAX_PAYLOAD = 1 << 30

Message = dict[str, Any]


class ProtocolError(Exception):
    """A frame that does not parse: the peer is broken, not the request."""


def dumps(message: Message) -> bytes:
    # allow_nan: a handler's answer passes through as it is; deciding what a
    # NaN means on the wire to clients is the HTTP layer's business.
    return json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def encode(message: Message, payload: bytes | None = None) -> bytes:
    """Header and JSON of a frame; the payload, if any, is written after it as it is."""
    body = dumps(message)
    return HEADER.pack(len(body), -1 if payload is None else len(payload)) + body


def _parse(body: bytes | bytearray) -> Message:
    try:
        message = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"a frame is not JSON: {exc}") from None
    if not isinstance(message, dict):
        raise ProtocolError("a frame is not a JSON object")
    return message


def _lengths(header: bytes | bytearray, max_payload: int = MAX_PAYLOAD) -> tuple[int, int]:
    size, payload = HEADER.unpack_from(header)
    if size > MAX_JSON or payload > max_payload or payload < -1:
        raise ProtocolError(f"frame lengths out of range: {size}, {payload}")
    return size, payload


class FrameDecoder:
    """Incremental decoder for a byte stream (the pool's asyncio side): a frame
    whose lengths pass MAX_JSON or `max_payload` is a ProtocolError, before
    any of it is held."""

    def __init__(self, max_payload: int = MAX_PAYLOAD) -> None:
        self._buffer = bytearray()
        self.max_payload = max_payload

    def feed(self, data: bytes) -> Iterator[tuple[Message, bytes | None]]:
        """Add `data`; yield every frame that is now complete."""
        buffer = self._buffer
        buffer += data
        while len(buffer) >= HEADER.size:
            size, payload_size = _lengths(buffer, self.max_payload)
            start = HEADER.size + size
            end = start + max(payload_size, 0)
            if len(buffer) < end:
                return
            message = _parse(buffer[HEADER.size : start])
            payload = None
            if payload_size >= 0:
                with memoryview(buffer) as view:  # one copy, not two
                    payload = bytes(view[start:end])
            del buffer[:end]
            yield message, payload


def read_frame(stream: BinaryIO) -> tuple[Message, bytes | None] | None:
    """The next frame from a blocking buffered stream; None at a clean end of stream."""
    header = stream.read(HEADER.size)
    if not header:
        return None
    if len(header) < HEADER.size:
        raise ProtocolError("the stream ended inside a frame header")
    size, payload_size = _lengths(header)
    body = stream.read(size)
    payload = stream.read(payload_size) if payload_size >= 0 else None
    if len(body) < size or (payload is not None and len(payload) < payload_size):
        raise ProtocolError("the stream ended inside a frame")
    return _parse(body), payload


# -- errors ---------------------------------------------------------------------------------


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def encode_error(exc: VisualizerError) -> Message:
    """A VisualizerError as JSON: its classes, most derived first, and its fields."""
    classes = [_qualified(c) for c in type(exc).__mro__ if issubclass(c, VisualizerError)]
    fields = {
        name: value
        for name, value in vars(exc).items()
        if not name.startswith("_") and _jsonable(value)
    }
    return {"classes": classes, "detail": exc.detail, "fields": fields}


def _known_errors() -> dict[str, type[VisualizerError]]:
    """Every VisualizerError subclass loaded in this process, by qualified name.

    Only classes already imported are candidates: a name in a frame never
    makes this process import anything.
    """
    known: dict[str, type[VisualizerError]] = {}
    pending: list[type[VisualizerError]] = [VisualizerError]
    while pending:
        cls = pending.pop()
        known[_qualified(cls)] = cls
        pending.extend(cls.__subclasses__())
    return known


def decode_error(data: Message) -> VisualizerError:
    """The exception `encode_error` described, as the first of its classes known here."""
    known = _known_errors()
    names = data.get("classes")
    cls: type[VisualizerError] = VisualizerError
    if isinstance(names, list):
        cls = next((known[n] for n in names if isinstance(n, str) and n in known), cls)
    detail = str(data.get("detail", ""))
    # Built without __init__: subclasses have different signatures, and the
    # fields are copied as they were in the worker, whatever they are.
    exc = cls.__new__(cls, detail)
    exc.__dict__.update(detail=detail, line=None, column=None, end_line=None, end_column=None)
    fields = data.get("fields")
    if isinstance(fields, dict):
        exc.__dict__.update(
            (k, v) for k, v in fields.items() if isinstance(k, str) and not k.startswith("_")
        )
    return exc
