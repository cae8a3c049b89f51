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
server process's growth. The bounds are generous (a shared machine).
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
    # Unloaded: about 30 ms each (the page thread and the loop share the GIL);
    # the bounds leave room for a machine shared with other work. Rendered
    # in the loop, a 3.7 MB page cost 0.14 s of it per request, and /healthz
    # waited 2 s behind 8 clients.
    assert worst["/healthz"] < 1.5 and worst["image"] < 1.5, worst
    assert lag_ms < 1_000, health
    assert during - before < 200 << 20, (before, during)


@pytest.fixture(scope="module")
def uncached(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # As the load test runs it: a cache too small for these answers, so each
    # one passes through the server process.
    env = {
        "AUTOGRAD_VIZ_CACHE_MB": "1",
        "AUTOGRAD_VIZ_QUEUE_SIZE": "64",
        "AUTOGRAD_VIZ_QUEUE_TIMEOUT_S": "60",
        "AUTOGRAD_VIZ_LOG_LEVEL": "warning",
    }
    live = start_server(tmp_path_factory.mktemp("burst"), env, name="burst", cli=True)
    yield live
    stop_server(live)


def test_bursts_of_big_answers_leave_the_server_process_as_it_was(uncached: LiveServer) -> None:
    # Forty answers of 4 MB and heavy pages at once, three times: the
    # server process passes each on and gives its buffers back
    # (app.process_bounds.return_large_buffers); glibc's own threshold kept
    # them in its heap at their peak (+7 MiB here, up to +14 by hand).
    import asyncio

    async def burst(client: httpx.AsyncClient, round_number: int) -> None:
        async def one(k: int) -> None:
            if k % 3 == 0:  # and heavy pages, rendered in the page thread
                page = await client.get("/embed", params={"source": HEAVY_PAGES[1]})
                assert page.status_code == 200
                return
            source = HEAVY_PAGES[0] + f"\n# {round_number} {k % 8}"
            answer = await client.post("/api/v1/evaluate", json={"source": source})
            assert answer.status_code == 200 and len(answer.content) > 4_000_000

        await asyncio.gather(*(one(k) for k in range(40)))

    async def main() -> list[int]:
        sizes = []
        limits = httpx.Limits(max_connections=40)
        async with httpx.AsyncClient(base_url=uncached.url, timeout=120, limits=limits) as client:
            await client.get("/healthz")
            sizes.append(rss(uncached.process.pid))
            for round_number in range(3):
                await burst(client, round_number)
                await asyncio.sleep(1)
                sizes.append(rss(uncached.process.pid))
        return sizes

    sizes = asyncio.run(main())
    print(f"\nserver RSS at rest: {[size >> 20 for size in sizes]} MiB")
    assert max(sizes[1:]) - sizes[0] < 6 << 20, sizes  # glibc left 10 MiB or more
