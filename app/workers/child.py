"""The worker process: read a request, run the handler, write the answer; again.

A worker is forked from the fork server (app.workers.forkserver) with the
handler's module already imported. Before it says it is ready it makes
itself small and bounded: one torch thread, the handler's `warm_up()`, then
an address-space limit, so an allocation past the limit fails in here (as
MemoryError or torch's "can't allocate memory") and is answered as
LimitExceeded("memory_bytes") instead of waking the OOM killer. Wall time is
bounded from outside: the pool kills a worker that overruns.

Whatever the handler raises is answered, never propagated: its own
VisualizerErrors as themselves, anything else as an internal error whose
traceback goes to stderr under the request id, not to the client.

Leftovers. A program can leave memory behind that Python's collector cannot
free (`x.grad = x * 2` on a million elements makes a reference cycle inside
torch: about 8 MiB a request), or address space that the heap cannot give
back, and the next program, someone else's, would meet it: less memory, or
an answer shaped by it. So after each request the worker measures its
anonymous memory and its address space against what it had when it became
ready; past `growth_bytes` (AUTOGRAD_VIZ_WORKER_GROWTH_MB) in either, after a
full collection and giving freed heap back to the system, it retires: its
answer says it is the last, the pool stops sending it work before anyone
else's request reaches it, and forks a replacement. The answer itself is not
counted. A request that ran out of memory retires its worker too. Large
buffers get mappings of their own, so that honest programs leave next to
no address space and a worker serves thousands of them.
"""

from __future__ import annotations

import gc
import importlib
import os
import socket
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from app.errors import LimitExceeded, VisualizerError
from app.process_bounds import (
    WORKER_LARGE_BUFFERS,
    allocation_failed,
    footprint,
    limit_address_space,
    release_free_memory,
    return_large_buffers,
)
from app.workers.protocol import Message, encode, encode_error, read_frame

Handler = Callable[[dict[str, Any]], tuple[dict[str, Any], bytes | None]]


@dataclass(frozen=True, slots=True)
class ChildConfig:
    handler: str  # "package.module:function"
    memory_bytes: int | None  # address space allowed above the warmed-up size
    recycle_after: int | None  # answer this many requests, then exit
    growth_bytes: int | None = None  # retire once a request leaves more than this behind


def resolve(path: str) -> tuple[ModuleType, Handler]:
    """The module and the function named by "package.module:function"."""
    module_name, _, function_name = path.partition(":")
    if not module_name or not function_name:
        raise ValueError(f"a handler is 'package.module:function', not {path!r}")
    module = importlib.import_module(module_name)
    handler = getattr(module, function_name, None)
    if not callable(handler):
        raise ValueError(f"{module_name} has no function {function_name!r}")
    return module, handler


def run(fd: int, config: ChildConfig) -> int:
    """The worker's life on the socket `fd`; returns its exit status."""
    sock = socket.socket(fileno=fd)
    try:
        handler = _start(config)
    except BaseException as exc:  # any start failure is reported, then the process exits
        _log(f"could not start: {exc!r}", traceback.format_exc())
        _send(sock, encode({"failed": f"{type(exc).__name__}: {exc}"}))
        return 1
    leftovers = Leftovers(config.growth_bytes)
    _send(sock, encode({"ready": os.getpid()}))
    return _serve(sock, handler, config, leftovers)


def _start(config: ChildConfig) -> Handler:
    torch = sys.modules.get("torch")
    if torch is not None:
        # One request at a time per process: torch's own thread pools would
        # only contend with the other workers for the same cores.
        torch.set_num_threads(1)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # torch refuses once inter-op work has run: leave it be
            pass
    # Large buffers (tensors, answers) in mappings of their own, returned
    # whole when freed: from the heap they would leave address space behind
    # (see Leftovers).
    return_large_buffers(WORKER_LARGE_BUFFERS)
    module, handler = resolve(config.handler)
    warm_up = getattr(module, "warm_up", None)
    if callable(warm_up):
        warm_up()
    if config.memory_bytes is not None:
        limit_address_space(config.memory_bytes)
        global _reserve
        _reserve = bytearray(_RESERVE_BYTES)
    return handler


# Address space held back at start (inside the limit) and given up when a
# program runs out of memory, so the answer that says so can still be built:
# encoding it allocates too, and the program's own tensors may not be freed
# yet (its traceback holds them). A bytearray this size is its own mapping,
# returned to the system the moment it is dropped.
_RESERVE_BYTES = 8 << 20
_reserve: bytearray | None = None


def _out_of_memory(exc: BaseException) -> None:
    """Make room to answer: drop the reserve and what the failed program held."""
    global _reserve
    _reserve = None
    exc.__traceback__ = None
    gc.collect()


class Leftovers:
    """What requests left behind in this process, against what it held when ready.

    Two measures, each against the same bound: anonymous memory (what the
    machine pays for) and address space (VmSize: what RLIMIT_AS counts, so
    what the next program meets). They part ways in glibc's heap, which
    gives freed pages back but not their addresses while anything above
    them is in use: the audit of issue 16 found 140 MB of address space
    left by one program (ten sines of a 1000 x 1000 float64 tensor) with
    the anonymous memory unchanged, and the next program out of memory.
    Large buffers have mappings of their own (`_start`), so an honest
    program leaves next to none; one that still does retires its process.
    """

    def __init__(self, growth_bytes: int | None) -> None:
        self.growth = growth_bytes
        gc.collect()
        self.anonymous, self.address_space = footprint()

    def too_many(self, answer_bytes: int) -> bool:
        """Whether this process now holds or maps more than `growth` bytes
        over what it did when ready, beyond the answer it is about to send."""
        if self.growth is None:
            return False
        if not self._over(answer_bytes):
            return False
        gc.collect()
        release_free_memory()
        return self._over(answer_bytes)

    def _over(self, answer_bytes: int) -> bool:
        assert self.growth is not None
        anonymous, address_space = footprint()
        return (
            anonymous - answer_bytes - self.anonymous > self.growth
            or address_space - answer_bytes - self.address_space > self.growth
        )


def _serve(
    sock: socket.socket, handler: Handler, config: ChildConfig, leftovers: Leftovers | None = None
) -> int:
    stream = sock.makefile("rb")
    served = 0
    while True:
        try:
            frame = read_frame(stream)
        except ConnectionError:
            frame = None
        if frame is None:  # the pool closed our socket: it is shutting down, or gone
            return 0
        message, _ = frame
        served += 1
        # Recycling bounds whatever slow leaks a long-lived process gathers.
        retire = config.recycle_after is not None and served >= config.recycle_after
        head, payload, last = _answer(handler, message, config, retire, leftovers)
        try:
            _send(sock, head, payload)
        except ConnectionError:  # nobody is listening any more
            return 0
        # Sent: not held while the next program runs (an answer of up to
        # AUTOGRAD_VIZ_ANSWER_MB would be that much less room for it).
        del head, payload
        if last:
            return 0


def _answer(
    handler: Handler,
    message: Message,
    config: ChildConfig,
    retire: bool,
    leftovers: Leftovers | None = None,
) -> tuple[bytes, bytes | None, bool]:
    """The encoded answer frame, its payload, and whether this process exits after it."""
    request_id = str(message.get("id"))
    reply: Message = {"id": request_id}
    try:
        request = message.get("request")
        if not isinstance(request, dict):
            raise TypeError("a request is a JSON object")
        answer, payload = handler(request)
        if not isinstance(answer, dict) or not isinstance(payload, bytes | None):
            raise TypeError("a handler returns (dict, bytes | None)")
        retire = _holds_too_much(leftovers, len(payload or b"")) or retire
        if retire:
            reply["last"] = True
        return encode({**reply, "ok": answer}, payload), payload, retire
    except VisualizerError as exc:
        # After running out of memory the heap may be in a poor state, and is
        # at its largest (glibc keeps it): start afresh.
        memory = isinstance(exc, LimitExceeded) and exc.limit == "memory_bytes"
        if memory:
            _out_of_memory(exc)
        elif _holds_too_much(leftovers, 0):
            retire = True
        return _error(reply, exc, retire or memory)
    except MemoryError as exc:
        _out_of_memory(exc)
        return _error(reply, _memory_error(config), True)
    except Exception as exc:
        if allocation_failed(exc):
            _out_of_memory(exc)
            return _error(reply, _memory_error(config), True)
        _log(f"request {request_id} failed", traceback.format_exc())
        if retire:
            reply["last"] = True
        return encode({**reply, "internal": True}), None, retire
    except BaseException:  # SystemExit, KeyboardInterrupt from a handler: answer, then go
        _log(f"request {request_id} failed", traceback.format_exc())
        return encode({**reply, "internal": True, "last": True}), None, True


def _holds_too_much(leftovers: Leftovers | None, answer_bytes: int) -> bool:
    """Whether this process must retire for what requests left in it. One
    too close to its limit even to read /proc (a program that failed at the
    edge of its memory: the load test found one) must go, and gives up its
    reserve so that the answer can still be encoded: measuring must never
    crash the process and lose the answer."""
    if leftovers is None:
        return False
    try:
        return leftovers.too_many(answer_bytes)
    except MemoryError as exc:
        _out_of_memory(exc)
        return True


def _error(reply: Message, exc: VisualizerError, last: bool) -> tuple[bytes, None, bool]:
    message = {**reply, "error": encode_error(exc)}
    if last:
        message["last"] = True
    return encode(message), None, last


def _memory_error(config: ChildConfig) -> LimitExceeded:
    limit = config.memory_bytes or 0
    return LimitExceeded(
        "memory_bytes",
        limit,
        f"the program needed more memory than the limit of {limit >> 20} MiB",
    )


def _send(sock: socket.socket, head: bytes, payload: bytes | None = None) -> None:
    if not payload:
        sock.sendall(head)
        return
    # Head and payload in one system call, so the pool wakes once, to a whole
    # frame; the rest, if the socket took only part, as sendall would.
    sent = sock.sendmsg([head, payload])
    if sent < len(head):
        sock.sendall(head[sent:])
        sock.sendall(payload)
    elif sent < len(head) + len(payload):
        sock.sendall(memoryview(payload)[sent - len(head) :])


def _log(what: str, details: str) -> None:
    sys.stderr.write(f"autograd-viz worker {os.getpid()}: {what}\n{details}")
    sys.stderr.flush()
