"""What the issue-21 browser tests share: a tab on a laptop (1366x768) or a
phone (390x844, touch), arriving at a page and typing a program."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS, LiveServer

SLOW = 20_000  # ms: a cold worker's first evaluation, on a shared 2-core machine
# A failed evaluation is a 4xx answer, which Chromium logs as a failed resource.
FAILED_FETCH = "Failed to load resource: the server responded with a status of 4"

VIEWPORTS = {
    "laptop": {"viewport": {"width": 1366, "height": 768}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def loop_program(iterations: int) -> str:
    """The notebook's loop, `iterations` times."""
    return (
        "x = torch.tensor(1.0, requires_grad=True)\n"
        f"for i in range({iterations}):\n    x = x*(x+1)/(x+2)\ny = x\n"
    )


def open_tab(browser: Any, name: str, **extra: Any) -> Any:
    context = browser.new_context(**VIEWPORTS[name], **extra)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.js_errors = errors
    tab.viewport_name = name
    return tab


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def tab(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page in each viewport: every test that takes it runs twice."""
    page = open_tab(browser, request.param)
    yield page
    page.context.close()


def shot(page: Any, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    suffix = getattr(page, "viewport_name", "")
    page.screenshot(path=str(ARTIFACTS / f"{name}-{suffix}.png"), full_page=full_page)


def no_js_errors(page: Any, allowed: tuple[str, ...] = ()) -> None:
    errors = [e for e in page.js_errors if not any(a in e for a in allowed)]
    assert errors == []


def url(server: LiveServer, path: str = "/", **query: str) -> str:
    return server.url + path + ("?" + urlencode(query) if query else "")


def arrive(page: Any, address: str, editor: bool = True) -> None:
    page.goto(address)
    expect(page.locator("#graph svg g.node").first).to_be_attached(timeout=SLOW)
    if editor:
        expect(page.locator("#source .cm-content")).to_be_attached()


def set_program(page: Any, text: str) -> None:
    """Replace the program as a paste would (no auto-closed brackets)."""
    page.locator("#source .cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def node(page: Any, label: str) -> Any:
    return page.locator("#graph g.node", has_text=re.compile(rf"^\s*{label}\b"))
