"""axe-core (tests/browser/vendor/, fetched by scripts/vendor-js) in Chromium:
no serious or critical violation on `/` and `/embed` in both themes, on a
laptop and a phone, and on `/docs` (issue 21); also with the notebook's own
programs (comments, strings, a model's weight gradients, a 100-element value,
a program longer than the editor), whose boxes that scroll are tab stops."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from app.api.examples import DATA
from tests.browser.students import SLOW, VIEWPORTS, url
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

AXE = next((Path(__file__).parent / "vendor").glob("axe-core-*.min.js"))
LOOP = (
    "x = torch.tensor(1.0, requires_grad=True)\nfor i in range(30):\n"
    "    x = x*(x+1)/(x+2)\ny = x\nprint(x.grad)\n"
)
REAL_CODE = {
    lesson["id"]: lesson["source"]
    for lesson in json.loads((DATA / "real-code.json").read_text())["lessons"]
}
# The MLP: comments no, strings yes, 16x8 and 1x16 weight gradients. Cell 13:
# comments, strings, a 100-element value, 40 lines (the editor scrolls).
REAL = ["torchviz-readme-mlp", "verbatim-cell13-gradient-descent"]
# Boxes that hold more than they show, by program: each must be a named tab stop.
SCROLLING = {
    "torchviz-readme-mlp": {
        '#gradients tr[data-name="model.W0.weight"] pre.num': "Gradient of model.W0.weight",
        '#gradients tr[data-name="model.W1.weight"] pre.num': "Gradient of model.W1.weight",
    },
    "verbatim-cell13-gradient-descent": {"#value": "Value of obj_arr"},
}


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


SCROLLS = "e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1"


def scrolls(page: Any, selector: str) -> bool:
    """Whether the box holds more than it shows (static/js/scrollable.js's test)."""
    return bool(page.eval_on_selector(selector, SCROLLS))


@pytest.mark.parametrize("program", REAL)
@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_page_with_the_notebooks_programs_has_no_serious_violation(
    live_server: LiveServer, browser: Any, viewport: str, theme: str, program: str
) -> None:
    page = open_page(browser, viewport, theme)
    try:
        page.goto(url(live_server, source=REAL_CODE[program], theme=theme))
        expect(page.locator("#source .cm-content")).to_have_attribute("tabindex", "0")
        expect(page.locator("#gradients tr[data-name]").first).to_be_attached(timeout=SLOW)
        for selector, name in SCROLLING[program].items():
            box = page.locator(selector)
            expect(box).to_have_attribute("tabindex", "0")
            expect(box).to_have_attribute("role", "region")
            expect(box).to_have_attribute("aria-label", name)
            assert scrolls(page, selector), selector  # the region is one because it scrolls
        # A box whose text fits is no tab stop (the MLP's value is one number).
        if not scrolls(page, "#value"):
            assert page.get_attribute("#value", "tabindex") is None
        found = violations(page)
        assert found == [], report(found)
        if page.locator("#step-start").is_enabled():
            # And with the step-through's marks in the editor.
            page.click("#step-start")
            for _ in range(3):
                page.click("#step-next")
            expect(page.locator("#source .cm-span-hl").first).to_be_attached()
            found = violations(page)
            assert found == [], report(found)
    finally:
        page.context.close()


def test_a_gradient_that_scrolls_is_scrolled_by_the_keyboard(
    live_server: LiveServer, browser: Any
) -> None:
    page = open_page(browser, "laptop", "light")
    try:
        page.goto(url(live_server, source=REAL_CODE["torchviz-readme-mlp"]))
        box = page.locator('#gradients tr[data-name="model.W0.weight"] pre.num')
        expect(box).to_have_attribute("tabindex", "0", timeout=SLOW)
        # Tab reaches it from the Output field (y's gradient, [[1]], fits: no stop).
        page.locator("#output").focus()
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('pre.num')"):
                break
        assert page.evaluate("document.activeElement.closest('tr').dataset.name") == (
            "model.W0.weight"
        )
        assert box.evaluate("e => e.scrollTop") == 0
        page.keyboard.press("PageDown")
        page.wait_for_function("() => document.activeElement.scrollTop > 0")
    finally:
        page.context.close()


@pytest.mark.parametrize("program", REAL)
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_embed_with_the_notebooks_programs_has_no_serious_violation(
    live_server: LiveServer, browser: Any, theme: str, program: str
) -> None:
    page = open_page(browser, "laptop", theme)
    try:
        page.set_viewport_size({"width": 720, "height": 480})
        page.goto(url(live_server, "/embed", source=REAL_CODE[program], theme=theme))
        expect(page.locator("#gradients [data-name]").first).to_be_attached(timeout=SLOW)
        if program == "torchviz-readme-mlp":  # five gradients: their strip scrolls
            assert scrolls(page, "#gradients")
            expect(page.locator("#gradients")).to_have_attribute("tabindex", "0")
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
