"""A flood of the heaviest page leaves the server process free (issue 16).

`/embed` and `/` re-rendered a cached answer in the event loop on every
request: a 33-character query gave a 60 MB page and 0.35 s of the loop, so a
handful of clients (or the visitors of a page that frames /embed) pushed
/healthz and cached images from a millisecond to seconds. Pages are now
rendered from the worker's summary of the answer (at most PAGE_BYTES), in a
thread of their own. Here clients ask for the heaviest page we can make, as
fast as they can, while a probe asks for /healthz and a cached image: the
probe's answers and the event loop's own measure of its lateness
(/healthz's event_loop.worst_lag_ms) must stay small, and so must the
server process's growth. The bounds are generous (a shared machine), far
below what the flood cost before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.pipeline import PAGE_BYTES
from tests.conftest import LiveServer, start_server, stop_server
from tests.evaluate.hostile_amplification import HEAVY_PAGES

pytestmark = pytest.mark.timeout(180)

HEAVY = HEAVY_PAGES
FLOODERS = 8
FLOOD_S = 6.0
LESSON = {"source": "3*sin(x) + x + 3", "x": "5"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("flood"), name="flood", cli=True)
    yield live
    stop_server(live)


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) << 10
    raise AssertionError("no VmRSS")


def test_a_flood_of_the_heaviest_page_leaves_the_event_loop_free(server: LiveServer) -> None:
    with server.client() as http:
        sizes = {}
        for source in HEAVY:
            page = http.get("/embed", params={"source": source})
            assert page.status_code == 200, page.text[:300]
            sizes[source] = len(page.content)
        heaviest = max(sizes, key=lambda s: sizes[s])
        assert sizes[heaviest] > PAGE_BYTES // 3, sizes  # a heavy page, still bounded
        assert sizes[heaviest] < 3 * PAGE_BYTES, sizes
        image = http.get("/api/v1/graph.svg", params=LESSON)
        assert image.status_code == 200
        http.get("/healthz")
    before = rss(server.process.pid)

    going = threading.Event()
    going.set()
    pages: list[int] = []
    failures: list[str] = []

    def flood() -> None:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            while going.is_set():
                answer = client.get("/embed", params={"source": heaviest})
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text[:100]}")
                pages.append(len(answer.content))

    flooders = [threading.Thread(target=flood) for _ in range(FLOODERS)]
    for thread in flooders:
        thread.start()
    waits: dict[str, list[float]] = {"/healthz": [], "image": []}
    try:
        time.sleep(0.5)  # the flood under way
        with httpx.Client(base_url=server.url, timeout=30) as probe:
            deadline = time.monotonic() + FLOOD_S
            while time.monotonic() < deadline:
                for name, path, params in (
                    ("/healthz", "/healthz", None),
                    ("image", "/api/v1/graph.svg", LESSON),
                ):
                    started = time.monotonic()
                    answer = probe.get(path, params=params)
                    waits[name].append(time.monotonic() - started)
                    assert answer.status_code == 200
                time.sleep(0.05)
            health = probe.get("/healthz").json()
            during = rss(server.process.pid)
    finally:
        going.clear()
        for thread in flooders:
            thread.join()

    worst = {name: max(times) for name, times in waits.items()}
    lag_ms = health["event_loop"]["worst_lag_ms"]
    print(
        f"\nflood: {len(pages)} pages of {sizes[heaviest]:,} bytes in {FLOOD_S:g} s; "
        f"worst /healthz {worst['/healthz'] * 1000:.0f} ms, cached image "
        f"{worst['image'] * 1000:.0f} ms, event loop lag {lag_ms} ms; "
        f"server RSS {before >> 20} -> {during >> 20} MiB"
    )
    assert not failures, failures[:3]
    assert len(pages) >= 20, len(pages)
    assert worst["/healthz"] < 1.0 and worst["image"] < 1.0, worst
    assert lag_ms < 250, health
    assert during - before < 200 << 20, (before, during)
