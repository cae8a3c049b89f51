"""A minimal HTTP/1.1 keep-alive client on a raw socket, for latency samples.

The same few microseconds of client for every server measured: no pools, no
header objects, no decoding. Only what our servers answer is handled: a
status line, headers, and a body of `Content-Length` bytes.
"""

from __future__ import annotations

import socket
import time


class HttpError(RuntimeError):
    pass


class Connection:
    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.host = host
        self.port = port
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self, method: str, path: str, body: bytes = b"", content_type: str = "application/json"
    ) -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        if body or method == "POST":
            head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        self.sock.sendall(head.encode() + b"\r\n" + body)
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        header, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = header.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            rest += self._recv()
        self.buffer = rest[length:]
        return status, rest[:length]

    def timed(self, method: str, path: str, body: bytes = b"") -> tuple[float, int, bytes]:
        started = time.perf_counter()
        status, answer = self.request(method, path, body)
        return time.perf_counter() - started, status, answer

    def _recv(self) -> bytes:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise HttpError("the server closed the connection")
        return chunk

    def _fill(self) -> None:
        self.buffer += self._recv()
