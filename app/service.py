"""The server side of an evaluation: cache, then the worker pool.

The server process never runs a user program: every job goes to a worker
process (app.workers) that runs app.pipeline. Finished answers are kept in
an LRU keyed by the canonical request, and so are errors that are the
request's own (a syntax error, a refusal, a step or element limit): a course
page embedding a broken program costs the pool once, not once per student.
Errors that depend on the machine rather than the request (out of time or
memory, a busy or failing pool) are never kept: a program that ran out of
time once on a busy machine may well finish on the next try.

`build_id()` names what else decides an answer's bytes (this code and the
libraries the workers draw with); image ETags carry it (app.api.graph).

Pages (`/`, `/embed`) are rendered from the "page" answer, the worker's
summary of a program's answer within app.pipeline.PAGE_BYTES (`page`), and
whatever grows with that summary (reading its JSON, rendering the template)
runs in one thread of its own (`off_loop`), one page at a time: a flood of
the heaviest page then waits for that thread, while the event loop goes on
answering /healthz and cached images.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import importlib.metadata
import json
import sys
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol, TypeVar

from app import __version__, metrics
from app.cache import Answer, AnswerCache, Memo
from app.errors import LimitExceeded, VisualizerError
from app.job import Job, work_request
from app.limits import MACHINE_LIMITS
from app.loop_lag import LoopLag
from app.process_bounds import return_large_buffers
from app.settings import Settings
from app.workers import PoolUnavailable, WorkerError, WorkerPool
from app.workers.protocol import Message, decode_error, encode_error

_ERROR_ENTRIES = 256
T = TypeVar("T")


class Keyed(Protocol):
    def key(self) -> str: ...

    def model_dump(self, *, mode: str) -> dict[str, Any]: ...


class Service:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limits = settings.limits()
        self.cache = AnswerCache(settings.cache_entries, settings.cache_mb << 20)
        # (route, raw request) -> (job, job.key()), for routes that remember them.
        self.requests: Memo[tuple[Keyed, str]] = Memo(settings.cache_entries)
        # Kept as encode_error's plain dicts, raised as new exceptions: a kept
        # exception object would hold the traceback of the last request that
        # raised it, and through its frames that request's body and job.
        self._errors: OrderedDict[str, Message] = OrderedDict()
        self.pool = WorkerPool(
            "app.pipeline:handle",
            size=settings.pool_size,
            queue_size=settings.queue_size,
            queue_timeout_s=settings.queue_timeout_s,
            **settings.process_bounds(),
        )
        self._limits = asdict(self.limits)
        self._pool_metrics = metrics.PoolMetrics()
        self.build = build_id()
        self._page_thread = ThreadPoolExecutor(1, thread_name_prefix="pages")
        self.loop_lag = LoopLag()

    async def start(self) -> None:
        if "torch" not in sys.modules:  # the server process, never the tests' own
            return_large_buffers()
        await self.pool.start()
        self.loop_lag.start()

    async def close(self) -> None:
        self.loop_lag.stop()
        await self.pool.close()
        self._page_thread.shutdown(wait=False, cancel_futures=True)

    async def run(self, job: Keyed, kind: str, *, key: str | None = None) -> Answer:
        """The answer's bytes, from the cache or a worker; raises VisualizerError.

        `job` is any request model with a canonical `key()` (a Job, or
        another kind's request); `kind` names the handler in app.pipeline;
        `key` is `job.key()` when the caller already has it.
        """
        key = f"{kind}:{key or job.key()}"
        answer = self.cache.get(key)
        error = self._errors.get(key) if answer is None else None
        if answer is not None or error is not None:
            metrics.CACHE_HITS.inc()
        if answer is not None:
            return answer
        if error is not None:
            raise decode_error(error)
        metrics.CACHE_MISSES.inc()
        request = work_request(kind, job, self._limits)
        try:
            meta, body = await self.pool.submit(request)
        except VisualizerError as exc:
            if is_the_requests_own(exc):  # not the pool's state, nor the machine's load
                self._remember_error(key, exc)
            raise
        finally:
            self._pool_metrics.record(self.pool.stats())
        answer = Answer(body or b"", meta["media_type"])
        if meta.get("lasting", True):  # else the machine's load shaped it
            self.cache.put(key, answer)
        return answer

    def cached(self, kind: str, key: str) -> Answer | None:
        """The cached answer of `kind` for `key` (a job's key), counted as a hit; else None."""
        answer = self.cache.get(f"{kind}:{key}")
        if answer is not None:
            metrics.CACHE_HITS.inc()
        return answer

    async def page(self, job: Job) -> dict[str, Any]:
        """The page's summary of the job's answer (the /evaluate document within
        app.pipeline.PAGE_BYTES) as a dict, read off the event loop."""
        answer = await self.run(job, "page")
        document: dict[str, Any] = await self.off_loop(json.loads, answer.body)
        return document

    async def off_loop(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in the page thread: work that grows with a page."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._page_thread, function, *args)

    def _remember_error(self, key: str, error: VisualizerError) -> None:
        self._errors[key] = encode_error(error)
        while len(self._errors) > _ERROR_ENTRIES:
            self._errors.popitem(last=False)


def is_the_requests_own(error: VisualizerError) -> bool:
    """Whether `error` is the request's own, so asking again gives it again."""
    if isinstance(error, PoolUnavailable | WorkerError):
        return False  # about the server's state
    return not (isinstance(error, LimitExceeded) and error.limit in MACHINE_LIMITS)


# The distributions whose code runs in the evaluation processes and shapes
# the answers: the tensors, the DOT, the layout, the plots.
DISTRIBUTIONS = ("autograd-viz", "torch", "pygraphviz", "graphviz", "matplotlib", "numpy")


def build_parts() -> dict[str, str]:
    """What, besides the request, decides an answer's bytes: the app's version
    and code, the versions of the libraries above and the Graphviz build that
    lays the graphs out. Read from the installed distributions' metadata and
    files: the server process imports none of them (torch alone takes seconds
    and hundreds of MiB)."""
    code = code_digest(Path(__file__).resolve().parent)
    parts = {"app": __version__, "code": code, "graphviz-build": _graphviz_build()}
    for name in DISTRIBUTIONS:
        try:
            parts[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            parts[name] = "-"
    return parts


def fingerprint(parts: Mapping[str, str]) -> str:
    text = json.dumps(dict(parts), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@functools.cache
def build_id() -> str:
    """`fingerprint(build_parts())`, worked out once per process (a few ms)."""
    return fingerprint(build_parts())


def code_digest(root: Path) -> str:
    """A hash of the Python files under `root` (the app's): a deploy that changes
    how an answer is made changes it even if nobody bumped the version."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _graphviz_build() -> str:
    """The Graphviz that pygraphviz's wheel carries (app.render.layout lays out
    with no other): its libraries' file names hold a hash of their contents
    (libgvc-ae99f8ab.so.7.0.9)."""
    try:
        files = importlib.metadata.files("pygraphviz") or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    bundled = sorted(file.name for file in files if file.parent.name == "pygraphviz.libs")
    return " ".join(bundled) or "-"
