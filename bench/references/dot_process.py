"""One long-lived `dot -Tsvg` process, fed one graph at a time on stdin.

Debian's /usr/bin/dot reads graph after graph from its standard input and
writes each SVG as soon as the graph's closing brace arrives; an SVG ends
with `</svg>`. One graph at a time (a lock), and a process that died (a
crash, a syntax error) is started again for the next graph.
"""

from __future__ import annotations

import subprocess
import threading

DOT = "/usr/bin/dot"
END = b"</svg>\n"


class DotProcess:
    def __init__(self, binary: str = DOT) -> None:
        self.binary = binary
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def start(self) -> None:
        with self.lock:
            self._ensure()

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self.process is None or self.process.poll() is not None:
            if self.process is not None:
                self.restarts += 1
            self.process = subprocess.Popen(
                [self.binary, "-Tsvg"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        return self.process

    def render(self, dot: str) -> bytes:
        with self.lock:
            for attempt in range(2):
                process = self._ensure()
                assert process.stdin is not None and process.stdout is not None
                try:
                    process.stdin.write(dot.encode())
                    process.stdin.flush()
                    out = bytearray()
                    while not out.endswith(END):
                        chunk = process.stdout.read1(1 << 16)
                        if not chunk:
                            raise BrokenPipeError("dot exited")
                        out += chunk
                    return bytes(out)
                except OSError:
                    process.kill()
                    process.wait()
                    if attempt:
                        raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self.lock:
            if self.process is not None:
                self.process.kill()
                self.process.wait()
                self.process = None
