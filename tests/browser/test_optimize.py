"""The gradient-descent panel in real headless Chromium against a real server.

What a teacher does: open the page, run the notebook's example (three step
sizes on one plot), walk the steps, compare, make a mistake. Screenshots go
to test-artifacts/optimize-*.png (look at them: they are what people see).
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.test_page import FAILED_FETCH, SLOW, no_js_errors, shot
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

# The seed lessons' final thetas as the page prints them (6 significant digits).
FINALS = ["-3.29596", "-1.52917", "0.111503"]  # -3.295959, -1.529167, 0.1115029


def open_panel(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/")
    page.locator("#optimize").scroll_into_view_if_needed()
    # Scrolled into view, the panel runs its example (the notebook's) by itself.
    expect(page.locator("#opt-plot")).to_be_visible(timeout=SLOW)
    expect(page.locator("#opt-rows tr")).to_have_count(3)


def rows(page: Any) -> list[list[str]]:
    result: list[list[str]] = page.eval_on_selector_all(
        "#opt-rows tr", "(trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim()))"
    )
    return result


def marker_centres(page: Any, relative: bool = True) -> list[tuple[float, float]]:
    """Each run's marker centre, in page pixels from the plot's corner (or the viewport's)."""
    boxes = page.eval_on_selector_all(
        "#opt-overlay .plot-marker-dot",
        "(dots, relative) => { const p = document.getElementById('opt-plot')"
        ".getBoundingClientRect(); return dots.map((d) => { const r = d.getBoundingClientRect();"
        " return [r.x + r.width / 2 - (relative ? p.x : 0),"
        " r.y + r.height / 2 - (relative ? p.y : 0), r.width]; }); }",
        relative,
    )
    assert all(width > 0 for _, _, width in boxes), "a marker is not drawn"
    return [(x, y) for x, y, _ in boxes]


def test_the_notebook_example_plots_three_trajectories(live_server: LiveServer, page: Any) -> None:
    open_panel(page, live_server)
    assert [row[0] for row in rows(page)] == ["0.05", "0.07", "0.15"]
    assert [row[4] for row in rows(page)] == FINALS  # the "Final" column
    expect(page.locator("#opt-step-count")).to_have_text("step 100 / 100")
    assert page.get_attribute("#opt-plot", "src").startswith("blob:")
    alt = page.get_attribute("#opt-plot", "alt")
    assert "step size 0.15 ends at theta = 0.111503" in alt
    svg_link = page.get_attribute("#opt-svg", "href")
    assert svg_link.startswith("/api/v1/optimize.svg?source=")
    response = page.request.get(live_server.url + svg_link)
    assert response.ok and response.headers["content-type"] == "image/svg+xml"
    page.locator("#optimize").screenshot(path=_artifact("optimize-notebook"))
    no_js_errors(page)


def test_the_markers_sit_on_the_plotted_steps(live_server: LiveServer, page: Any) -> None:
    """At the last step each marker covers its run's final star, drawn by matplotlib."""
    open_panel(page, live_server)
    page.wait_for_function("() => document.getElementById('opt-plot').complete")
    centres = marker_centres(page, relative=False)
    colours = page.eval_on_selector_all(
        "#opt-overlay .plot-marker-dot", "(dots) => dots.map((d) => d.getAttribute('fill'))"
    )
    page.eval_on_selector("#opt-overlay", "(o) => (o.style.visibility = 'hidden')")
    picture = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    scale = picture.width / page.viewport_size["width"]
    for (x, y), colour in zip(centres, colours, strict=True):
        want = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        near = [
            picture.getpixel((round((x + dx) * scale), round((y + dy) * scale)))
            for dx in (-2, -1, 0, 1, 2)
            for dy in (-2, -1, 0, 1, 2)
        ]
        assert any(sum(abs(a - b) for a, b in zip(p, want, strict=True)) < 60 for p in near), (
            f"no {colour} under the marker at ({x:.0f}, {y:.0f})"
        )
    no_js_errors(page)


def test_stepping_through_the_trajectories(live_server: LiveServer, page: Any) -> None:
    open_panel(page, live_server)
    final = marker_centres(page)
    page.click("#opt-prev")
    expect(page.locator("#opt-step-count")).to_have_text("step 99 / 100")
    # By keyboard: the slider takes Home, End and the arrow keys.
    page.focus("#opt-step")
    page.keyboard.press("Home")
    expect(page.locator("#opt-step-count")).to_have_text("step 0 / 100")
    assert [row[1] for row in rows(page)] == ["-3.5"] * 3
    start = marker_centres(page)
    assert max(abs(a[0] - b[0]) + abs(a[1] - b[1]) for a in start for b in start) < 0.5
    expect(page.locator("#opt-caption")).to_contain_text("every run starts at theta = -3.5")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#opt-step-count")).to_have_text("step 1 / 100")
    # lr=0.05 from -3.5: -3.5 - 0.05 * (-15.73177) = -2.71341
    assert rows(page)[0][1] == "-2.71341"
    page.locator("#optimize").screenshot(path=_artifact("optimize-step-1"))
    page.click("#opt-play")
    expect(page.locator("#opt-play")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#opt-step-count")).to_have_text("step 100 / 100", timeout=SLOW)
    expect(page.locator("#opt-play")).to_have_attribute("aria-pressed", "false")
    after = [c for centre in marker_centres(page) for c in centre]
    assert after == pytest.approx([c for centre in final for c in centre], abs=0.5)
    no_js_errors(page)


def test_comparing_methods_and_an_error(live_server: LiveServer, page: Any) -> None:
    open_panel(page, live_server)
    page.fill("#opt-source", "x**2 + 3*sin(3*x)")
    page.fill("#opt-variable", "")
    page.fill("#opt-init", "2")
    page.fill("#opt-lr", "0.01, 0.05")
    page.select_option("#opt-method", "adam")
    page.fill("#opt-steps", "150")
    page.fill("#opt-range", "-3, 3")
    with page.expect_response("**/api/v1/optimize") as answer:
        page.click("#opt-run")
    body = answer.value.request.post_data_json
    assert body["lr"] == [0.01, 0.05] and body["method"] == "adam" and body["range"] == [-3, 3]
    expect(page.locator("#opt-rows tr")).to_have_count(2, timeout=SLOW)
    expect(page.locator("#opt-col-param")).to_have_text("x")
    expect(page.locator("#opt-step-count")).to_have_text("step 150 / 150")
    page.locator("#optimize").screenshot(path=_artifact("optimize-adam"))

    page.fill("#opt-source", "def f(x):\n    return x @ x\n")
    page.click("#opt-run")
    error = page.locator("#opt-error")
    expect(error).to_be_visible(timeout=SLOW)
    expect(error).to_contain_text("Runtime error")
    expect(error).to_contain_text("Line 2")
    expect(page.locator("#optimize")).to_have_class(re.compile("is-stale"))
    page.fill("#opt-lr", "0.1, -1")
    page.click("#opt-run")
    expect(error).to_contain_text("Learning rates must be positive")
    page.fill("#opt-lr", "0.1")
    page.fill("#opt-steps", "")  # empty is not zero steps
    page.click("#opt-run")
    expect(error).to_contain_text("Steps must be a whole number")
    page.fill("#opt-steps", "100")
    # One click brings the notebook back.
    page.click("#opt-preset")
    expect(error).to_be_hidden(timeout=SLOW)
    expect(page.locator("#opt-rows tr")).to_have_count(3)
    assert [row[4] for row in rows(page)] == FINALS
    no_js_errors(page, allowed=(FAILED_FETCH,))


def test_dark_and_phone(live_server: LiveServer, browser: Any) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, color_scheme="dark"
    )
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    with page.expect_response("**/api/v1/optimize") as answer:
        open_panel(page, live_server)
    assert answer.value.request.post_data_json["theme"] == "dark"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    page.locator("#optimize").screenshot(path=_artifact("optimize-phone-dark"))
    no_js_errors(page)
    context.close()


def test_without_javascript_the_form_opens_the_plot(live_server: LiveServer, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.locator("#opt-preset")).to_be_hidden()
    with page.expect_navigation():
        page.click("#opt-run")
    assert "/api/v1/optimize.svg?" in page.url
    svg = page.content()
    assert "<svg" in svg
    shot(page, "optimize-no-javascript")
    context.close()


def _artifact(name: str) -> str:
    from tests.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / f"{name}.png")
