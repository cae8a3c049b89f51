"""A refused body is answered so that the client reads the 413 (issue 16).

Python's urllib sends its whole body before it reads an answer, and says
`Connection: close`: the server answered 413 at once and closed while the
client was still sending, the kernel answered the unread bytes with a reset,
and urllib saw a broken pipe instead of the answer that says why. The
server now reads and drops the rest of a refused body (at most
app.middleware.DRAIN_BYTES, within the body deadline) before it answers, as
servers with a lingering close do. Every client, every size, every time,
against the server as deployed (`python -m app serve`, app.http11) and as
uvicorn runs the app by default.
"""

from __future__ import annotations

import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer, start_server, stop_server

SIZES = [1 << 20, 16 << 20]
TRIES = 4
PATH = "/api/v1/evaluate"


@pytest.fixture(scope="module", params=["serve", "uvicorn"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    cli = request.param == "serve"
    live = start_server(tmp_path_factory.mktemp("linger"), name=request.param, cli=cli)
    yield live
    stop_server(live)


def _urllib(url: str, body: bytes, chunked: bool = False) -> tuple[int, dict[str, str]]:
    headers = {"content-type": "application/json"}
    data: bytes | Iterator[bytes] = body
    if chunked:  # no Content-Length: the limit is counted as the body arrives
        headers["transfer-encoding"] = "chunked"
        data = iter([body[i : i + (1 << 16)] for i in range(0, len(body), 1 << 16)])
    request = urllib.request.Request(url + PATH, data=data, headers=headers)  # type: ignore[arg-type]
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers)
    except urllib.error.HTTPError as error:
        error.read()
        return error.code, dict(error.headers)


@pytest.mark.parametrize("size", SIZES, ids=lambda n: f"{n >> 20}MB")
def test_urllib_reads_the_413(server: LiveServer, size: int) -> None:
    body = b"x" * size
    for chunked in (False, True):
        for _ in range(TRIES):
            status, headers = _urllib(server.url, body, chunked)
            assert status == 413
            assert headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("size", SIZES, ids=lambda n: f"{n >> 20}MB")
def test_httpx_reads_the_413(server: LiveServer, size: int) -> None:
    body = b"x" * size
    for close in (False, True):
        headers = {"content-type": "application/json"}
        if close:
            headers["connection"] = "close"
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for _ in range(TRIES):
                answer = http.post(PATH, content=body, headers=headers)
                assert answer.status_code == 413
                assert answer.json()["code"] == "limit_exceeded"


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
@pytest.mark.parametrize("size", SIZES, ids=lambda n: f"{n >> 20}MB")
def test_curl_reads_the_413(server: LiveServer, size: int, tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_bytes(b"x" * size)
    # With curl's `Expect: 100-continue` (it waits for the answer before it
    # sends) and without it (it sends everything first, as urllib does).
    for expect in ([], ["-H", "Expect:"]):
        for _ in range(TRIES):
            done = subprocess.run(
                ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", *expect,
                 "-H", "content-type: application/json", "-H", "connection: close",
                 "--data-binary", f"@{body}", server.url + PATH],
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert (done.returncode, done.stdout) == (0, "413"), done.stderr
