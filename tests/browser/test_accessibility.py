"""axe-core (tests/browser/vendor/, fetched by scripts/vendor-js) in Chromium:
no serious or critical violation on `/` and `/embed` in both themes, on a
laptop and a phone, and on `/docs` (issue 21)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.students import SLOW, VIEWPORTS, url
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

AXE = next((Path(__file__).parent / "vendor").glob("axe-core-*.min.js"))
LOOP = (
    "x = torch.tensor(1.0, requires_grad=True)\nfor i in range(30):\n"
    "    x = x*(x+1)/(x+2)\ny = x\nprint(x.grad)\n"
)


def violations(page: Any) -> list[dict[str, Any]]:
    """axe's serious and critical violations of the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def report(found: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in found
    )


def open_page(browser: Any, viewport: str, theme: str) -> Any:
    # The pages' CSP refuses inline script: axe is injected past it.
    context = browser.new_context(
        **VIEWPORTS[viewport], bypass_csp=True, color_scheme="dark" if theme == "dark" else "light"
    )
    return context.new_page()


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_page_has_no_serious_violation(
    live_server: LiveServer, browser: Any, viewport: str, theme: str
) -> None:
    page = open_page(browser, viewport, theme)
    try:
        page.goto(url(live_server, source=LOOP, output="y", theme=theme))
        expect(page.locator("#graph svg g.node").first).to_be_attached(timeout=SLOW)
        expect(page.locator("#source .cm-content")).to_be_attached()
        page.wait_for_timeout(300)
        found = violations(page)
        assert found == [], report(found)
        # And in the middle of stepping through backward(), with an error shown.
        page.click("#step-start")
        page.locator("#source .cm-content").click()
        page.keyboard.press("Control+End")
        page.keyboard.insert_text("\nz = (")
        expect(page.locator("#error")).to_be_visible(timeout=SLOW)
        found = violations(page)
        assert found == [], report(found)
    finally:
        page.context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_embed_has_no_serious_violation(
    live_server: LiveServer, browser: Any, viewport: str, theme: str
) -> None:
    page = open_page(browser, viewport, theme)
    try:
        page.set_viewport_size({"width": 720, "height": 480})
        page.goto(url(live_server, "/embed", source=LOOP, output="y", theme=theme))
        expect(page.locator("#graph svg g.node").first).to_be_attached(timeout=SLOW)
        found = violations(page)
        assert found == [], report(found)
    finally:
        page.context.close()


def test_the_api_page_has_no_serious_violation(live_server: LiveServer, browser: Any) -> None:
    page = open_page(browser, "laptop", "light")
    try:
        page.goto(live_server.url + "/docs")
        expect(page.locator(".opblock").first).to_be_visible(timeout=SLOW)
        page.locator(".opblock-summary").first.click()  # one operation open, as a reader has it
        page.wait_for_timeout(300)
        found = violations(page)
        assert found == [], report(found)
        assert page.get_attribute("html", "lang") == "en"
    finally:
        page.context.close()
