"""The first load of `/` in Chromium, as a student's browser makes it
(issue 21, finding 14): under 250 KB transferred, static files compressed,
and on the next visit none of them is asked for again."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.students import SLOW, open_tab, url
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

BUDGET = 250_000  # bytes, headers and bodies as sent


def load(tab: Any, address: str) -> list[Any]:
    finished: list[Any] = []

    def done(request: Any) -> None:
        finished.append(request)

    tab.on("requestfinished", done)
    tab.goto(address)
    expect(tab.locator("#source .cm-content")).to_be_visible(timeout=SLOW)
    expect(tab.locator("#graph svg g.node").first).to_be_attached()
    tab.wait_for_load_state("networkidle")
    tab.remove_listener("requestfinished", done)
    return [r for r in finished if r.url.startswith(("http:", "https:"))]


def transferred(request: Any) -> int:
    sizes = request.sizes()
    return int(max(sizes["responseBodySize"], 0) + max(sizes["responseHeadersSize"], 0))


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_the_first_load_is_small_compressed_and_cached(
    live_server: LiveServer, browser: Any, viewport: str
) -> None:
    tab = open_tab(browser, viewport)
    try:
        first = load(tab, url(live_server))
        total = sum(transferred(r) for r in first)
        statics = [r for r in first if "/static/" in r.url]
        print(f"first load: {len(first)} requests, {total:,} bytes")
        assert total < BUDGET, [(r.url, transferred(r)) for r in first]
        assert statics, "no static file loaded"
        for request in statics:
            headers = request.response().headers
            assert headers["cache-control"] == "public, max-age=31536000, immutable", request.url
            if request.url.endswith((".js", ".css")) and transferred(request) > 2_000:
                assert headers.get("content-encoding") == "gzip", request.url
        page = next(r for r in first if r.url.rstrip("/") == live_server.url)
        assert page.response().headers.get("content-encoding") == "gzip"
        # The next visit asks the server for the page and the lessons, not for
        # static files (the server's own access log says what reached it).
        before = live_server.log.read_text().count("GET /static/")
        load(tab, url(live_server))
        tab.wait_for_timeout(300)  # the log is written after the answer
        assert live_server.log.read_text().count("GET /static/") == before
    finally:
        tab.context.close()
