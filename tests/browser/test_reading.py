"""Big graphs read at a legible size (issue 21, findings 3, 4, 5, 8, 11): a
30-iteration loop on a laptop, a phone and in a 720x480 embed; the view
follows the step-through; the wheel, fingers and keys do what a reader
expects; the embed's numbers leave the graph its frame."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.students import (
    SLOW,
    VIEWPORTS,
    arrive,
    loop_program,
    no_js_errors,
    open_tab,
    shot,
    url,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LEGIBLE_PX = 10.0  # the least size of a node's body text on screen, CSS pixels

# The rendered size of every node text of the main size: font-size in graph
# units times the drawing's screen scale (the CTM), and its box's height.
TEXT_SIZES = """() => {
  const svg = document.querySelector('#graph svg');
  const scale = svg.getScreenCTM().a;
  const frame = document.querySelector('#graph').getBoundingClientRect();
  const inView = (r) =>
    r.bottom > frame.top && r.top < frame.bottom && r.right > frame.left && r.left < frame.right;
  return [...svg.querySelectorAll('g.node text[font-size="10.00"]')]
    .filter((t) => inView(t.getBoundingClientRect()))
    .map((t) => [
      parseFloat(t.getAttribute('font-size')) * scale, t.getBoundingClientRect().height,
    ]);
}"""


def visible_text_sizes(page: Any) -> list[list[float]]:
    sizes: list[list[float]] = page.evaluate(TEXT_SIZES)
    return sizes


def view(page: Any) -> list[float]:
    box = page.get_attribute("#graph svg", "viewBox") or ""
    return [float(page.get_attribute("#graph", "data-scale") or "nan"), *map(float, box.split())]


def test_a_30_iteration_loop_reads_at_a_legible_size(live_server: LiveServer, tab: Any) -> None:
    arrive(tab, url(live_server, source=loop_program(30), output="y"))
    sizes = visible_text_sizes(tab)
    assert len(sizes) >= 8, "too little text in view to read"
    assert min(size for size, _ in sizes) >= LEGIBLE_PX, sizes
    assert min(height for _, height in sizes) >= LEGIBLE_PX  # as drawn, not only as declared
    # Collapsed: two iterations, the box, the last; the overview shows the rest.
    expect(tab.locator("#graph g.node.more")).to_have_count(1)
    expect(tab.locator("#graph g.node.more")).to_contain_text("27 more iterations")
    expect(tab.locator(".overview")).to_be_visible()
    expect(tab.locator("#expand-loops")).to_have_text("Draw all 27 hidden iterations")
    shot(tab, "loop30")
    # Fit shows the whole (small), and the overview goes with the need for it.
    tab.locator("#zoom-fit").click()
    expect(tab.locator(".overview")).to_be_hidden()
    no_js_errors(tab)


def test_the_step_through_keeps_the_current_node_in_view(live_server: LiveServer, tab: Any) -> None:
    """Finding 3 and 11: stepping did not bring the node into view; captions in
    loops named neither the node's #id nor its iteration; at 768 px the
    caption's last line was below the fold."""
    arrive(tab, url(live_server, source=loop_program(30), output="y"))
    tab.locator("#step-start").click()
    frame = tab.locator("#graph").bounding_box()
    total = int(tab.inner_text("#step-count").split("/")[1])
    for step in (2, 6, 40, total):
        while int(tab.inner_text("#step-count").split("/")[0].strip()) < step:
            tab.locator("#step-next").click()
        current = tab.locator("#graph g.node.is-current")
        expect(current).to_have_count(1)
        tab.wait_for_timeout(50)
        box = current.bounding_box()
        assert box is not None and frame is not None
        inside_x = frame["x"] <= box["x"] + box["width"] / 2 <= frame["x"] + frame["width"]
        inside_y = frame["y"] <= box["y"] + box["height"] / 2 <= frame["y"] + frame["height"]
        assert inside_x and inside_y, (step, box, frame)
    caption = tab.locator("#step-caption")
    expect(caption).to_contain_text(f"Step {total} of {total}")
    # Step 6 is in iteration 28 (hidden in the box): the box lights, the caption says so.
    tab.keyboard.press("Escape")
    tab.locator("#step-start").click()
    for _ in range(5):
        tab.locator("#step-next").click()
    expect(caption).to_contain_text("#6")
    expect(caption).to_contain_text("iteration 28 of for i")
    expect(caption).to_contain_text("27 more iterations")
    expect(tab.locator("#graph g.node.more.is-current")).to_have_count(1)
    if tab.viewport_name == "laptop":  # the caption's last line is on screen with the graph
        tab.evaluate("() => window.scrollTo(0, 0)")
        bottom = caption.bounding_box()
        assert bottom is not None and bottom["y"] + bottom["height"] <= 768
    shot(tab, "step-in-collapsed")
    no_js_errors(tab)


def test_the_box_expands_and_the_walk_goes_on_there(live_server: LiveServer, tab: Any) -> None:
    arrive(tab, url(live_server, source=loop_program(30), output="y"))
    with tab.expect_response("**/api/v1/evaluate"):
        tab.locator("#expand-loops").click()
    expect(tab.locator("#graph g.node.more")).to_have_count(0, timeout=SLOW)
    expect(tab.locator("#graph g.cluster")).to_have_count(30)
    assert "loops=expanded" in tab.url
    assert tab.locator("select[name=loops]").input_value() == "expanded"
    no_js_errors(tab)


def test_arrow_keys_pan_and_keys_zoom_the_focused_graph(live_server: LiveServer, tab: Any) -> None:
    """Finding 8: arrow keys could not pan a zoomed graph."""
    arrive(tab, url(live_server, source=loop_program(30), output="y"))
    tab.locator("#graph").focus()
    before = view(tab)
    tab.keyboard.press("ArrowDown")
    after = view(tab)
    assert after[2] > before[2] and after[0] == before[0]  # moved down the graph, same scale
    tab.keyboard.press("ArrowUp")
    assert view(tab)[2] == pytest.approx(before[2], abs=0.5)
    tab.keyboard.press("+")
    assert view(tab)[0] == pytest.approx(before[0] * 1.25, rel=1e-3)
    expect(tab.locator("#step-caption")).not_to_contain_text("Step 1")  # arrows did not step
    no_js_errors(tab)


def test_the_wheel_pans_the_graph_then_the_page_and_ctrl_wheel_zooms(
    live_server: LiveServer, browser: Any
) -> None:
    tab = open_tab(browser, "laptop")
    try:
        arrive(tab, url(live_server, source=loop_program(30), output="y"))
        box = tab.locator("#graph").bounding_box()
        tab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        before = view(tab)
        tab.mouse.wheel(0, 200)
        tab.wait_for_timeout(100)
        assert view(tab)[2] > before[2]  # the drawing moved, the page did not
        assert tab.evaluate("() => window.scrollY") == 0
        tab.keyboard.down("Control")
        tab.mouse.wheel(0, -200)
        tab.keyboard.up("Control")
        tab.wait_for_timeout(100)
        assert view(tab)[0] > before[0]
    finally:
        tab.context.close()


def embed_host(tab: Any, src: str, width: int = 720, height: int = 480) -> Any:
    """A course page: text, the embed as the snippet writes it, more text.
    Served (by the test) on the server's own origin: Chromium's local network
    access checks keep any other origin from framing a loopback address."""
    course = src.split("/embed", 1)[0] + "/course/lesson.html"
    text = "<p>" + "A paragraph of the course. " * 60 + "</p>"
    page = (
        f"<!doctype html><html lang=en><title>course</title><body>{text}"
        f'<iframe id="embed" src="{src}" width="{width}" height="{height}" title="Autograd graph"'
        f' loading="eager"></iframe>{text}{text}</body></html>'
    )
    tab.route(course, lambda route: route.fulfill(body=page, content_type="text/html"))
    tab.goto(course)
    frame = tab.frame_locator("#embed")
    expect(frame.locator("#graph svg g.node").first).to_be_attached(timeout=SLOW)
    return frame


def test_in_a_720x480_embed_a_30_iteration_loop_reads(
    live_server: LiveServer, browser: Any
) -> None:
    tab = open_tab(browser, "laptop")
    try:
        frame = embed_host(tab, url(live_server, "/embed", source=loop_program(30), output="y"))
        sizes: list[list[float]] = frame.locator("html").evaluate(
            "(root) => (" + TEXT_SIZES + ")()"
        )
        assert len(sizes) >= 6 and min(s for s, _ in sizes) >= LEGIBLE_PX, sizes
        # The embed's own Fit button, and the overview.
        expect(frame.locator("#zoom-fit")).to_be_visible()
        expect(frame.locator(".overview")).to_be_visible()
        tab.locator("#embed").scroll_into_view_if_needed()
        shot(tab, "embed-loop30")
    finally:
        tab.context.close()


def test_the_wheel_over_an_embed_scrolls_the_course_page(
    live_server: LiveServer, browser: Any
) -> None:
    """Finding 4: the wheel over an <iframe> zoomed the graph to a speck."""
    tab = open_tab(browser, "laptop")
    try:
        frame = embed_host(tab, url(live_server, "/embed", source=loop_program(30), output="y"))
        tab.locator("#embed").scroll_into_view_if_needed()
        scale = frame.locator("#graph").get_attribute("data-scale")
        box = tab.locator("#embed").bounding_box()
        start = tab.evaluate("() => window.scrollY")
        tab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tab.mouse.wheel(0, 300)
        tab.wait_for_timeout(300)
        assert tab.evaluate("() => window.scrollY") > start  # the page scrolled
        assert frame.locator("#graph").get_attribute("data-scale") == scale  # no zoom
        frame.locator("#zoom-in").click()
        assert float(frame.locator("#graph").get_attribute("data-scale") or 0) > float(scale or 0)
        frame.locator("#zoom-fit").click()
    finally:
        tab.context.close()


MODEL = (
    "W1 = torch.arange(12, dtype=torch.float32).reshape(3, 4).requires_grad_(True)\n"
    "W2 = torch.arange(8, dtype=torch.float32).reshape(4, 2).requires_grad_(True)\n"
    "b1 = torch.zeros(4, requires_grad=True)\nb2 = torch.zeros(2, requires_grad=True)\n"
    "x = torch.ones(5, 3)\nh = torch.relu(x @ W1 + b1)\ny = (h @ W2 + b2).sum()\n"
)


def test_the_embeds_numbers_leave_the_graph_its_frame(
    live_server: LiveServer, browser: Any
) -> None:
    """Finding 5: a small model's gradient list took two thirds of the frame."""
    tab = open_tab(browser, "laptop")
    try:
        frame = embed_host(tab, url(live_server, "/embed", source=MODEL, output="y"))
        graph = frame.locator(".graph-frame").bounding_box()
        bar = frame.locator(".embed-bar").bounding_box()
        assert graph and bar
        assert graph["height"] >= 0.6 * 480, graph
        assert bar["height"] <= 0.25 * 480, bar
        assert frame.locator(".embed-grad").count() >= 4  # W1, W2, b1, b2 (and h)
        title = frame.locator(".embed-grad[data-name=W1] code").get_attribute("title") or ""
        assert title.startswith("[[")  # the whole value is there, in its title
    finally:
        tab.context.close()


def test_two_fingers_pinch_and_one_finger_scrolls_the_page(
    live_server: LiveServer, browser: Any
) -> None:
    """Finding 4: on a phone a swipe panned the drawing and pinch did nothing."""
    tab = open_tab(browser, "phone")
    try:
        arrive(tab, url(live_server, source=loop_program(30), output="y"))
        graph = tab.locator("#graph")
        graph.scroll_into_view_if_needed()
        box = graph.bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        cdp = tab.context.new_cdp_session(tab)

        def touch(kind: str, points: list[tuple[float, float]]) -> None:
            cdp.send(
                "Input.dispatchTouchEvent",
                {"type": kind, "touchPoints": [{"x": x, "y": y} for x, y in points]},
            )

        before = view(tab)
        scrolled = tab.evaluate("() => window.scrollY")
        touch("touchStart", [(cx - 40, cy), (cx + 40, cy)])
        for k in range(1, 6):
            touch("touchMove", [(cx - 40 - 12 * k, cy), (cx + 40 + 12 * k, cy)])
        touch("touchEnd", [])
        tab.wait_for_timeout(100)
        assert view(tab)[0] > before[0] * 1.3  # pinched open: zoomed in
        pinched = view(tab)
        # One finger: the page scrolls, the drawing stays.
        touch("touchStart", [(cx, cy)])
        for k in range(1, 12):
            touch("touchMove", [(cx, cy + 20 * k)])
            tab.wait_for_timeout(16)
        touch("touchEnd", [])
        tab.wait_for_timeout(300)
        assert abs(tab.evaluate("() => window.scrollY") - scrolled) > 100
        assert view(tab) == pinched
    finally:
        tab.context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_page_graph_fits_its_pane_on_arrival(
    live_server: LiveServer, browser: Any, viewport: str
) -> None:
    """A three-iteration loop: readable, and no half-empty pane (finding 3)."""
    tab = open_tab(browser, viewport)
    try:
        arrive(tab, url(live_server, source=loop_program(3), output="y"))
        sizes = visible_text_sizes(tab)
        assert min(s for s, _ in sizes) >= LEGIBLE_PX
        frame = tab.locator("#graph").bounding_box()
        drawn = tab.locator("#graph svg g.graph").bounding_box()
        assert frame and drawn
        # The drawing fills the pane's width or its height (no scale that leaves both empty).
        filled = max(
            min(drawn["width"], frame["width"]) / frame["width"],
            min(drawn["height"], frame["height"]) / frame["height"],
        )
        assert filled > 0.9, (drawn, frame)
    finally:
        tab.context.close()


def test_the_hovered_source_line_brings_its_nodes_into_view(
    live_server: LiveServer, browser: Any
) -> None:
    tab = open_tab(browser, "laptop")
    try:
        arrive(tab, url(live_server, source=loop_program(30), output="y"))
        tab.locator("#graph").focus()
        for _ in range(8):
            tab.keyboard.press("ArrowDown")  # away from the top, where line 1's x is
        away = view(tab)
        leaf = tab.locator("#graph g.node.leaf")
        frame = tab.locator("#graph").bounding_box()
        box = leaf.bounding_box()
        assert box and frame and box["y"] + box["height"] < frame["y"]  # out of view, above
        tab.locator("#source .cm-line").nth(0).hover()
        tab.wait_for_timeout(600)
        assert view(tab)[2] < away[2]
        box = leaf.bounding_box()
        assert box and frame["y"] <= box["y"] + box["height"] / 2 <= frame["y"] + frame["height"]
        expect(leaf).to_have_class(re.compile("is-linked"))
    finally:
        tab.context.close()
