"""/static: the page's own files (script, styles, vendored libraries),
compressed and cached.

Versioned URLs. The pages name every file under `/static/<version>/...`,
where `<version>` is `v-` and a hash of the whole static tree
(`static_version`): the modules' relative imports (`./js/editor.js`,
`../vendor/codemirror-...js`) stay under the same prefix, so every file
the page loads is versioned without a build step or an import map. Such an
answer is `Cache-Control: public, max-age=31536000, immutable`: a returning
visitor asks for none of them again until a deploy changes a file (and with
it every URL). The plain `/static/...` (favicon, /docs's Swagger UI, old
links) and an old version's URL answer the current file with `no-cache`
(revalidated by its ETag).

Compression. Text files (js, css, svg, json, txt) over 1 KB are answered
gzipped (level 9, made once per file and kept in memory: the whole tree is
a few MB) to clients that accept gzip, with `Vary: Accept-Encoding` and an
ETag of their own. The first load of `/` went from 640 KB to about 200 KB
(CodeMirror alone: 466 KB, 154 KB gzipped); tests/browser/test_first_load.py
measures it.

Whole files only. Starlette's StaticFiles answers byte ranges, and a
malformed or unsatisfiable Range header with a text/plain 400 or 416,
outside the problem+json every other 4xx is. RFC 9110 14.2 lets a server
ignore Range, and these files are small: they are always answered whole
(200), and offer no ranges (Accept-Ranges).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import mimetypes
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSED_TYPES = (".js", ".css", ".svg", ".json", ".txt", ".map", ".html")
COMPRESS_FROM_BYTES = 1024
VERSION_PREFIX = "v-"


@functools.cache
def static_version(directory: Path) -> str:
    """`v-` and 12 hex digits of a hash of every file's path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return VERSION_PREFIX + digest.hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class _Variant:
    body: bytes
    etag: str


@dataclass(frozen=True, slots=True)
class Packed:
    """A body as it is sent: plain, and gzipped when that is worth it, each
    with its ETag."""

    media_type: str
    plain: _Variant
    gzipped: _Variant | None

    @staticmethod
    def of(body: bytes, media_type: str, compress: bool = True) -> Packed:
        tag = hashlib.sha256(body).hexdigest()[:20]
        gzipped = None
        if compress and len(body) >= COMPRESS_FROM_BYTES:
            # mtime=0: the same bytes in every process and every run.
            packed = gzip.compress(body, compresslevel=9, mtime=0)
            gzipped = _Variant(packed, f'"{tag}-gz"')
        return Packed(media_type, _Variant(body, f'"{tag}"'), gzipped)

    def response(self, request: Headers, cache_control: str, status_code: int = 200) -> Response:
        """The variant the request accepts, or a 304 if it holds that one already."""
        variant = self.plain
        if self.gzipped is not None and accepts_gzip(request.get("accept-encoding", "")):
            variant = self.gzipped
        headers = {"ETag": variant.etag, "Cache-Control": cache_control}
        if self.gzipped is not None:
            headers["Vary"] = "Accept-Encoding"
        if variant is self.gzipped:
            headers["Content-Encoding"] = "gzip"
        if variant.etag in request.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(
            variant.body, status_code=status_code, media_type=self.media_type, headers=headers
        )


@dataclass(frozen=True, slots=True)
class _File:
    key: tuple[int, int]  # mtime_ns, size: a changed file is read again
    packed: Packed


class Assets(StaticFiles):
    def __init__(self, *, directory: Path) -> None:
        super().__init__(directory=directory)
        self.root = directory
        self._files: dict[str, _File] = {}
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return static_version(self.root)

    def get_path(self, scope: Scope) -> str:
        path = super().get_path(scope)
        head, sep, rest = path.partition(os.sep)
        if head.startswith(VERSION_PREFIX) and sep:
            # Versioned: immutable if it is this build's version.
            scope["avz_immutable"] = head == self.version
            return rest
        return path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # Ranges are ignored (see the module docstring).
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"range"]}
        await super().__call__(scope, receive, send)

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        asset = self._load(os.fspath(full_path), stat_result)
        cache_control = IMMUTABLE if scope.get("avz_immutable") else REVALIDATE
        return asset.packed.response(Headers(scope=scope), cache_control, status_code)

    def _load(self, path: str, stat_result: os.stat_result) -> _File:
        key = (stat_result.st_mtime_ns, stat_result.st_size)
        found = self._files.get(path)
        if found is not None and found.key == key:
            return found
        with self._lock:
            with open(path, "rb") as handle:
                body = handle.read()
            media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            if media_type.startswith("text/") or media_type.endswith(("javascript", "json")):
                media_type += "; charset=utf-8"
            found = _File(key, Packed.of(body, media_type, path.endswith(COMPRESSED_TYPES)))
            self._files[path] = found
        return found


def accepts_gzip(accept_encoding: str) -> bool:
    for item in accept_encoding.lower().split(","):
        name, *parameters = (part.strip() for part in item.split(";"))
        if name in ("gzip", "*"):
            for parameter in parameters:
                key, _, value = parameter.partition("=")
                if key.strip() == "q":
                    try:
                        return float(value) > 0
                    except ValueError:
                        return False
            return True
    return False


# A page past this is compressed in the service's page thread, not in the
# event loop: a page of a megabyte (app.pipeline.PAGE_BYTES) costs gzip 15 ms.
COMPRESS_OFF_LOOP_BYTES = 64 << 10


async def _gzip(scope: Scope, body: bytes) -> bytes:
    service = getattr(scope["app"].state, "service", None)
    if len(body) < COMPRESS_OFF_LOOP_BYTES or service is None:
        return gzip.compress(body, compresslevel=6, mtime=0)
    compressed: bytes = await service.off_loop(functools.partial(gzip.compress, mtime=0), body, 6)
    return compressed


class CompressedPages:
    """The HTML pages (`/`, `/embed`, /docs, the error pages) gzipped for
    clients that accept it: the first load's largest text after CodeMirror
    (the page holds the graph's SVG and the answer: 38 KB, 8 KB gzipped).
    Pure ASGI; a page is small, so it is gathered whole, then compressed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not accepts_gzip(
            Headers(scope=scope).get("accept-encoding", "")
        ):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def gather(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                given = Headers(raw=message.get("headers", []))
                is_page = given.get("content-type", "").startswith("text/html")
                if not is_page or "content-encoding" in given:
                    start = None
                    await send(message)
                    return
                start = message
                return
            if start is None:  # not a page: passed through as it comes
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            raw = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            if len(body) >= COMPRESS_FROM_BYTES:
                body = await _gzip(scope, body)
                raw.append((b"content-encoding", b"gzip"))
            raw.append((b"vary", b"Accept-Encoding"))
            raw.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": raw})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, gather)
