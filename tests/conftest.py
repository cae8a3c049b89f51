"""The three test layers (as in datasette's tests):

- `client`: the ASGI app in-process, with its lifespan (worker pool) running;
- `live_server`: a real uvicorn in a subprocess on a free port;
- `browser` / `page`: headless Debian Chromium driven by Playwright, only with
  `--browser` (scripts/test and .ci/run pass it).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS_PATH = ROOT / "app" / "data" / "seed-lessons.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = ROOT / "test-artifacts"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--browser", action="store_true", help="run the headless Chromium tests")
    parser.addoption("--load", action="store_true", help="run the sustained load tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for marker, option in (("browser", "--browser"), ("load", "--load")):
        if config.getoption(option):
            continue
        skip = pytest.mark.skip(reason=f"needs {option}")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


def lessons() -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads(LESSONS_PATH.read_text())
    result: list[dict[str, Any]] = data["lessons"]
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)


def start_server(
    tmp: Path,
    env: dict[str, str] | None = None,
    workers: int = 1,
    name: str = "server",
    cli: bool = False,
    port: int | None = None,
) -> LiveServer:
    """Start uvicorn (or `python -m app serve` with `cli`) on `port` (default:
    a free one) and wait until /healthz answers."""
    port = port or free_port()
    log = tmp / f"{name}-{port}.log"
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    command = (
        ["-m", "app", "serve"] if cli else ["-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, *command, "--port", str(port), "--workers", str(workers)],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return LiveServer(url, process, log)
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not answer /healthz within 60 s:\n{log.read_text()}")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("live"))
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def client() -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


# Module-scoped, not session-scoped: Playwright's sync API keeps an asyncio
# loop running in the main thread while it is open, and every later test
# that calls asyncio.run() would fail ("cannot be called from a running
# event loop").
@pytest.fixture(scope="module")
def browser(pytestconfig: pytest.Config) -> Iterator[Any]:
    if not pytestconfig.getoption("--browser"):
        pytest.skip("needs --browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.js_errors = errors
    yield tab
    context.close()


def answer_to_a_trickled_body(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    """The ASGI messages `app` sends for a request whose body never finishes:
    one byte a second, more always to come (bounded at 5 s)."""
    sent: list[dict[str, Any]] = []

    async def slow_receive() -> dict[str, Any]:
        await asyncio.sleep(1)
        return {"type": "http.request", "body": b"x", "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(asyncio.wait_for(app(scope, slow_receive, send), timeout=5))
    return sent
