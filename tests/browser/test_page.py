"""The page in real headless Chromium against a real server (`live_server`).

What a student does: arrive and see a graph, type, make a mistake, step
through backward(), open a lesson, share a link. Screenshots of each state
go to test-artifacts/ (look at them: they are what people see).
"""

from __future__ import annotations

import math
import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from app.api.pages import format_number
from tests.conftest import ARTIFACTS, LiveServer

pytestmark = pytest.mark.browser

# Real PyTorch's answers, from app/data/seed-lessons.json.
SIN_VALUE, SIN_GRAD = "5.12323", "1.85099"  # 5.123227, 1.850987
MEAN_LOG = "x = torch.arange(5, dtype=torch.float32).requires_grad_(True)\n" + (
    "y = torch.mean(torch.log(x**2+1)+5*x)"
)
MEAN_LOG_VALUE = "11.4877"  # 11.48768
MEAN_LOG_GRAD = "[1, 1.2, 1.16, 1.12, 1.09412]"  # [1.0, 1.2, 1.16, 1.12, 1.094118]
# A failed evaluation is a 4xx answer, which Chromium logs as a failed resource.
FAILED_FETCH = "Failed to load resource: the server responded with a status of 4"
SLOW = 20_000  # ms: a cold worker's first evaluation, on a shared 2-core machine


def shot(page: Any, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def no_js_errors(page: Any, allowed: tuple[str, ...] = ()) -> None:
    errors = [e for e in page.js_errors if not any(a in e for a in allowed)]
    assert errors == []


def arrive(page: Any, server: LiveServer, path: str = "/", editor: bool = True) -> None:
    page.goto(server.url + path)
    expect(page.locator("#graph svg g.node").first).to_be_visible(timeout=SLOW)
    if editor:
        expect(page.locator("#source .cm-content")).to_be_visible()


def set_program(page: Any, text: str) -> None:
    """Replace the program as a paste would (no auto-closed brackets)."""
    page.click("#source .cm-content")
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def node(page: Any, label: str) -> Any:
    return page.locator("#graph g.node", has_text=re.compile(rf"^\s*{label}\b"))


def test_arrival_shows_the_first_lesson_evaluated(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    assert "torch.sin(x)" in page.input_value("#source-text")
    expect(page.locator("#value")).to_have_text(SIN_VALUE)
    expect(page.locator("#gradients tr[data-name=x]")).to_contain_text(SIN_GRAD)
    expect(node(page, "SinBackward0")).to_have_count(1)
    expect(page.locator("#error")).to_be_hidden()
    shot(page, "page-arrival")
    no_js_errors(page)


def test_a_burst_of_typing_sends_one_request_after_300_ms_of_quiet(
    live_server: LiveServer, page: Any
) -> None:
    arrive(page, live_server)
    sent: list[float] = []
    page.on(
        "request",
        lambda request: (
            sent.append(time.monotonic()) if request.url.endswith("/api/v1/evaluate") else None
        ),
    )
    page.click("#source .cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.type("\ny = y + 1", delay=40)  # a burst: each key well within 300 ms
    last_key = time.monotonic()
    expect(page.locator("#value")).not_to_have_text(SIN_VALUE, timeout=SLOW)
    page.wait_for_timeout(400)  # nothing more comes
    assert len(sent) == 1, sent
    assert sent[0] - last_key >= 0.25  # the quiet, less the clock's slack
    no_js_errors(page)


def view(page: Any) -> list[float]:
    """The drawing's view (static/js/viewport.js): its scale, in CSS pixels per
    graph unit, then the viewBox's x, y, width and height."""
    scale = float(page.get_attribute("#graph", "data-scale") or "nan")
    box = page.get_attribute("#graph svg", "viewBox") or ""
    return [scale, *(float(v) for v in box.split())]


def test_zoom_pan_and_fit(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    fitted = view(page)
    page.click("#zoom-in")
    zoomed = view(page)
    assert zoomed[0] == pytest.approx(fitted[0] * 1.25, rel=1e-3)
    box = page.locator("#graph").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2 + 30, steps=5)
    page.mouse.up()
    panned = view(page)
    assert panned[0] == zoomed[0] and panned[1:3] != zoomed[1:3]
    page.click("#zoom-fit")
    assert view(page) == pytest.approx(fitted, abs=0.01)  # this small graph fits whole
    no_js_errors(page)


def test_typing_updates_graph_value_and_gradients(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    set_program(page, MEAN_LOG)
    expect(page.locator("#value")).to_have_text(MEAN_LOG_VALUE, timeout=SLOW)
    expect(page.locator("#gradients tr[data-name=x] pre")).to_have_text(MEAN_LOG_GRAD)
    expect(node(page, "LogBackward0")).to_have_count(1)
    expect(node(page, "SinBackward0")).to_have_count(0)
    # The URL is the permalink of what is on screen.
    assert parse_qs(urlsplit(page.url).query)["source"] == [MEAN_LOG]
    shot(page, "page-typed")
    no_js_errors(page)


def test_a_syntax_error_is_shown_and_underlined(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    set_program(page, "x = torch.tensor(1.0, requires_grad=True)\ny = (x +* 2)\n")
    error = page.locator("#error")
    expect(error).to_be_visible(timeout=SLOW)
    expect(error).to_contain_text("Syntax error")
    expect(error).to_contain_text(re.compile(r"Line 2, column \d+"))
    lines = page.locator("#source .cm-line")
    expect(lines.nth(1).locator(".cm-error-mark")).to_have_count(1)
    expect(lines.nth(0).locator(".cm-error-mark")).to_have_count(0)
    expect(page.locator(".graph-frame")).to_have_class(re.compile("is-stale"))
    shot(page, "page-syntax-error")
    # Fixing it clears the error and the mark.
    set_program(page, "x = torch.tensor(1.0, requires_grad=True)\ny = (x + 2)\n")
    expect(error).to_be_hidden(timeout=SLOW)
    expect(page.locator("#source .cm-error-mark")).to_have_count(0)
    expect(page.locator("#value")).to_have_text("3")
    no_js_errors(page, allowed=(FAILED_FETCH,))


def test_the_permalink_reproduces_the_state(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    set_program(page, "3*sin(x) + x + 3")
    page.fill("#inputs", "x=2")
    page.select_option("select[name=rankdir]", "LR")
    page.uncheck("input[name=show_edge_grads]")
    expect(page.locator("#value")).to_have_text("7.72789", timeout=SLOW)  # 3 sin 2 + 5
    permalink = page.input_value("#snippet-permalink")
    assert page.url == permalink
    query = parse_qs(urlsplit(permalink).query)
    assert query["rankdir"] == ["LR"] and query["x"] == ["2"]
    assert query["show_edge_grads"] == ["false"]

    fresh = page.context.new_page()
    fresh.js_errors = []
    fresh.on("pageerror", lambda exc: fresh.js_errors.append(str(exc)))
    arrive(fresh, live_server, permalink.removeprefix(live_server.url))
    assert fresh.input_value("#source-text") == "3*sin(x) + x + 3"
    assert fresh.input_value("#inputs") == "x=2"
    assert fresh.input_value("select[name=rankdir]") == "LR"
    assert not fresh.is_checked("input[name=show_edge_grads]")
    expect(fresh.locator("#value")).to_have_text("7.72789")
    expect(fresh.locator("#gradients tr[data-name=x]")).to_contain_text("-0.248441")
    no_js_errors(fresh)
    no_js_errors(page)


def test_the_share_buttons_copy_working_snippets(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    copied = {}
    for which in ("permalink", "img", "iframe"):
        page.click(f"[data-copy={which}]")
        expect(page.locator("#copy-status")).to_contain_text("copied")
        copied[which] = page.evaluate("() => navigator.clipboard.readText()")
    assert copied["permalink"].startswith(live_server.url + "/?source=")
    img = re.fullmatch(r'<img src="([^"]+)" alt="Autograd graph">', copied["img"])
    frame = re.search(r'<iframe src="([^"]+)"', copied["iframe"])
    assert img and frame
    svg_url = img.group(1).replace("&amp;", "&")
    embed_url = frame.group(1).replace("&amp;", "&")
    assert svg_url.startswith(live_server.url + "/api/v1/graph.svg?")
    assert embed_url.startswith(live_server.url + "/embed?")
    # All three carry the same query, and each answers.
    query = urlsplit(copied["permalink"]).query
    assert urlsplit(svg_url).query == query == urlsplit(embed_url).query
    answer = page.request.get(svg_url)
    assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    png = page.request.get(page.get_attribute("#download-png", "href"))
    assert png.status == 200 and png.body()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.request.get(embed_url).status == 200
    no_js_errors(page)


def test_a_stale_answer_never_overwrites_a_newer_one(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    held: list[Any] = []

    def hold_the_first(route: Any) -> None:
        if not held:
            held.append(route)  # answered only after the newer one is on screen
        else:
            route.continue_()

    page.route("**/api/v1/evaluate", hold_the_first)
    set_program(page, "a = torch.tensor(2.0, requires_grad=True)\nb = a * 3")
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the first evaluation was never requested"
    set_program(page, "a = torch.tensor(2.0, requires_grad=True)\nb = a * 4")
    expect(page.locator("#value")).to_have_text("8", timeout=SLOW)
    try:
        held[0].continue_()
    except PlaywrightError:
        pass  # the page had already given up on it: that is the point
    page.wait_for_timeout(1500)
    expect(page.locator("#value")).to_have_text("8")
    assert "a * 4" in parse_qs(urlsplit(page.url).query)["source"][0]
    no_js_errors(page)


def test_stepping_through_the_backward_pass(live_server: LiveServer, page: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})  # docs/screenshot.png is this one
    arrive(page, live_server)
    start = page.locator("#step-start")
    expect(start).to_be_enabled()
    start.click()
    current = page.locator("#graph g.node.is-current")
    expect(current).to_have_count(1)
    expect(page.locator("#step-caption")).to_contain_text("Step 1")
    expect(page.locator("#step-caption")).to_contain_text("backward() starts at")
    first = current.get_attribute("id")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#step-caption")).to_contain_text("Step 2")
    second = current.get_attribute("id")
    assert second != first
    # Step 2's node received its gradient along a lit edge from step 1's node.
    expect(page.locator("#graph g.edge.grad-in")).not_to_have_count(0)
    page.click("#step-next")
    expect(page.locator("#step-caption")).to_contain_text("Step 3")
    expect(page.locator("#graph g.node.is-visited")).to_have_count(2)
    shot(page, "page-backward-step")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#step-caption")).to_contain_text("Step 1")
    assert current.get_attribute("id") == first
    # The last step is a leaf: its gradient lands in x.grad.
    total = int(page.inner_text("#step-count").split("/")[1])
    for _ in range(total):
        page.keyboard.press("ArrowRight")
    expect(page.locator("#step-caption")).to_contain_text(f"Step {total}")
    page.keyboard.press("Escape")
    expect(page.locator("#graph g.node.is-current")).to_have_count(0)
    no_js_errors(page)


def test_hover_links_nodes_and_source(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    sin = node(page, "SinBackward0")
    sin.hover()
    tooltip = page.locator("#tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("SinBackward0")
    # The op's own value, sin(5), and the gradient of its output, 3.
    expect(tooltip.locator(".tip-val.is-value")).to_have_text(format_number(math.sin(5.0)))
    expect(tooltip.locator(".tip-val.is-grad")).to_have_text(format_number(3.0))
    mark = page.locator("#source .cm-span-hl")
    expect(mark.first).to_be_visible()
    assert "sin" in " ".join(mark.all_inner_texts())
    shot(page, "page-hover-node")
    # And the other way: a line of code lights the nodes it made.
    page.mouse.move(0, 0)
    expect(tooltip).to_be_hidden()
    page.locator("#source .cm-line").nth(2).hover()
    expect(page.locator("#graph g.node.is-linked").first).to_be_visible()
    assert sin.get_attribute("class") is not None
    expect(sin).to_have_class(re.compile("is-linked"))
    no_js_errors(page)


def test_a_lesson_loads_with_one_click(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    cards = page.locator("#lessons a[data-lesson]")
    assert cards.count() >= 10
    page.click("#lessons a[data-lesson=loop]")
    expect(page.locator("#value")).to_have_text("42", timeout=SLOW)
    expect(page.locator("#gradients tr[data-name=x] pre")).to_have_text("195")
    assert "for i in range(3):" in page.input_value("#source-text")
    expect(page.locator("#lessons a[data-lesson=loop]")).to_have_class(re.compile("is-active"))
    assert "range" in parse_qs(urlsplit(page.url).query)["source"][0]
    shot(page, "page-lesson-loop")
    page.go_back()  # the lesson was a new history entry
    expect(page.locator("#value")).to_have_text(SIN_VALUE, timeout=SLOW)
    no_js_errors(page)


def test_theme_toggle_redraws_dark_and_persists(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    with page.expect_response("**/api/v1/evaluate") as answer:
        page.click("#theme-toggle")
    assert answer.value.request.post_data_json["options"]["theme"] == "dark"
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.locator("#theme-toggle")).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(300)
    shot(page, "page-dark")
    page.reload()  # the server renders the next arrival dark already
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.locator("#graph svg g.node").first).to_be_visible()
    no_js_errors(page)


def test_the_desktops_dark_preference_stays_out_of_shared_links(
    live_server: LiveServer, browser: Any
) -> None:
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    with page.expect_response("**/api/v1/evaluate") as redrawn:
        arrive(page, live_server)
    assert redrawn.value.request.post_data_json["options"]["theme"] == "dark"
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.locator("#snippet-img")).to_have_value(re.compile("graph.svg[?]source="))
    assert "theme=" not in page.input_value("#snippet-permalink")
    assert "theme=" not in page.input_value("#snippet-img")
    # Chosen with the toggle (light, then dark again), the theme is still the
    # visitor's own: a classmate opening the link, or a light course page
    # embedding it, gets their own colours (issue 21, finding 7).
    for _ in range(2):
        with page.expect_response("**/api/v1/evaluate"):
            page.click("#theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    for snippet in ("#snippet-img", "#snippet-iframe", "#snippet-permalink"):
        assert "theme=" not in page.input_value(snippet)
    assert "theme=" not in page.url
    page.reload()  # the server's own links, rendered dark from the cookie, have no theme either
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert "theme=" not in page.get_attribute("#download-svg", "href")
    no_js_errors(page)
    context.close()


def test_arrow_keys_on_other_buttons_do_not_step(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    page.focus("[data-copy=img]")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#graph g.node.is-current")).to_have_count(0)
    page.focus("#step-start")
    page.keyboard.press("ArrowRight")  # the stepper's own buttons keep them
    expect(page.locator("#step-caption")).to_contain_text("Step 1")
    no_js_errors(page)


def focused(locator: Any) -> bool:
    result: bool = locator.evaluate("(e) => e === document.activeElement")
    return result


def test_keyboard_alone_runs_a_program(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    content = page.locator("#source .cm-content")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.locator(".skip-link")).to_be_focused()
    for _ in range(12):
        page.keyboard.press("Tab")
        if focused(content):
            break
    assert focused(content), "Tab never reached the editor"
    # Arriving by Tab, Tab moves on: the editor is no keyboard trap.
    page.keyboard.press("Tab")
    expect(page.locator("#inputs")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(content).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text("x = torch.tensor(3.0, requires_grad=True)\ny = x * x")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#value")).to_have_text("9", timeout=SLOW)
    expect(page.locator("#gradients tr[data-name=x] pre")).to_have_text("6")
    # Once typing started Tab indents; Escape, then Tab, still leaves.
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(content).not_to_be_focused()
    # The backward stepper by keys alone.
    page.focus("#step-start")
    page.keyboard.press("Enter")
    expect(page.locator("#step-caption")).to_contain_text("Step 1")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#step-caption")).to_contain_text("Step 2")
    no_js_errors(page)


def test_the_page_fits_a_phone(live_server: LiveServer, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    arrive(page, live_server)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    box = page.locator(".graph-frame").bounding_box()
    assert box is not None and box["width"] <= 390
    shot(page, "page-phone")
    no_js_errors(page)
    context.close()


def test_the_embed_page(live_server: LiveServer, page: Any) -> None:
    page.set_viewport_size({"width": 720, "height": 480})  # a typical iframe
    arrive(page, live_server, "/embed?source=3*sin(x)%2Bx%2B3&x=5", editor=False)
    expect(page.locator("#value")).to_have_text(SIN_VALUE)
    expect(page.locator("#gradients")).to_contain_text(SIN_GRAD)
    link = page.locator("a.embed-open")
    # Relative (never built from the Host header): the frame resolves it
    # against its own address, the server's.
    assert link.get_attribute("href") == "/?source=3%2Asin%28x%29%2Bx%2B3&x=5"
    resolved = link.evaluate("a => a.href")
    assert resolved == f"{live_server.url}/?source=3%2Asin%28x%29%2Bx%2B3&x=5"
    expect(page.locator("header, #source, #gallery")).to_have_count(0)  # no site chrome
    shot(page, "embed")
    no_js_errors(page)


def test_the_heaviest_pages_open_and_say_what_was_left_out(
    live_server: LiveServer, page: Any
) -> None:
    # Pages are rendered from the answer within app.pipeline.PAGE_BYTES: a
    # value cut to fit, a drawing left out with its reason, without errors.
    from urllib.parse import urlencode

    from tests.evaluate.hostile_amplification import HEAVY_PAGES

    strings, values, _ = HEAVY_PAGES
    page.goto(live_server.url + "/?" + urlencode({"source": strings}))
    expect(page.locator("#warnings")).to_contain_text("summarised", timeout=SLOW)
    expect(page.locator("#value")).to_contain_text("more characters]")
    page.goto(live_server.url + "/embed?" + urlencode({"source": values}))
    expect(page.locator("#graph svg g.node").first).to_be_visible(timeout=SLOW)
    no_js_errors(page)


def test_without_javascript_the_page_is_a_working_form(
    live_server: LiveServer, browser: Any
) -> None:
    viewport = {"width": 1280, "height": 860}
    context = browser.new_context(java_script_enabled=False, viewport=viewport)
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.locator("#graph svg g.node").first).to_be_visible(timeout=SLOW)
    expect(page.locator("#value")).to_have_text(SIN_VALUE)
    page.fill("#source-text", "3*sin(x) + x + 3")
    page.fill("#inputs", "x=2")
    page.fill("#output", "")
    page.select_option("select[name=rankdir]", "LR")
    page.click("#run")
    expect(page.locator("#value")).to_have_text("7.72789", timeout=SLOW)
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"source": ["3*sin(x) + x + 3"], "rankdir": ["LR"], "x": ["2"]}
    shot(page, "page-no-javascript")
    context.close()


def test_numbers_print_alike_in_python_and_js(live_server: LiveServer, page: Any) -> None:
    numbers: list[Any] = [
        5.123227, 1.850987, 1.094118, 42.0, 195, -0.2484409, 0.1 + 0.2, 1e-7, -3.5e-5,
        123456.7, 999999.7, 1234567.0, 2.5e20, 0.0, -0.0, "inf", "-inf", "nan", True,
    ]  # fmt: skip
    page.goto(live_server.url + "/")
    printed = page.evaluate(
        "async (xs) => { const m = await import('/static/js/format.js');"
        " return xs.map((x) => m.formatNumber(x)); }",
        numbers,
    )
    assert printed == [format_number(x) for x in numbers]
    # At least 5 significant digits.
    assert format_number(1.850987) == "1.85099"
    assert format_number(1.094118) == "1.09412"


# Found by exploratory testing in Chromium (each was what a student saw).


def test_a_graph_too_big_to_draw_says_why_and_offers_nothing_to_walk_or_download(
    live_server: LiveServer, page: Any
) -> None:
    arrive(page, live_server)
    # Drawn whole (collapsed, the same loop draws at once: tests/graph/test_collapse.py).
    page.select_option("select[name=loops]", "expanded")
    set_program(
        page,
        "x = torch.tensor(0.5, requires_grad=True)\ny = x\n"
        "for i in range(2600):\n    y = torch.sin(y) * 1.0\ny",
    )
    empty = page.locator("#graph .graph-empty")
    expect(empty).to_contain_text("The graph is not drawn", timeout=SLOW)
    expect(empty).to_contain_text("5000")  # the reason, where the graph would be
    expect(page.locator("#step-start")).to_be_disabled()
    expect(page.locator("#step-count")).to_have_text("no drawing")
    for link in ("#download-svg", "#download-png"):
        expect(page.locator(link)).to_have_attribute("aria-disabled", "true")
        assert page.get_attribute(link, "href") is None
    shot(page, "page-not-drawn")
    # A program that draws again brings them back.
    set_program(page, "x = torch.tensor(5.0, requires_grad=True)\ny = 3*torch.sin(x) + x + 3")
    expect(page.locator("#graph svg g.node").first).to_be_visible(timeout=SLOW)
    expect(page.locator("#step-start")).to_be_enabled()
    assert page.get_attribute("#download-svg", "href")
    no_js_errors(page)


def test_a_mistake_greys_the_answer_and_stops_the_walk_until_it_is_fixed(
    live_server: LiveServer, page: Any
) -> None:
    arrive(page, live_server)
    results = page.locator(".results")
    page.fill("#inputs", "x=abc")
    expect(page.locator("#error")).to_be_visible()
    expect(results).to_have_class(re.compile(r"\bis-stale\b"))  # the old numbers are not x=abc's
    expect(page.locator("#step-start")).to_be_disabled()
    expect(page.locator("#download-svg")).to_have_attribute("aria-disabled", "true")
    page.fill("#inputs", "x=5")  # the inputs of the answer on screen: nothing to send
    expect(page.locator("#error")).to_be_hidden()
    expect(results).not_to_have_class(re.compile(r"\bis-stale\b"))
    expect(page.locator("#step-start")).to_be_enabled()
    assert page.get_attribute("#download-svg", "aria-disabled") is None
    set_program(page, "3*sin(x) +")
    expect(page.locator("#error")).to_be_visible(timeout=SLOW)
    expect(page.locator("#step-start")).to_be_disabled()  # no walking a graph of other code
    no_js_errors(page, (FAILED_FETCH,))


def test_a_program_too_long_for_a_link_keeps_the_last_link_and_says_so(
    live_server: LiveServer, page: Any
) -> None:
    arrive(page, live_server)
    before = page.url
    # 10,500 characters, percent-encoded six times over: past the 60,000 a query may have.
    set_program(page, "x = torch.tensor(5.0, requires_grad=True)\ny = x * 2\n# " + "θ" * 10_500)
    expect(page.locator("#value")).to_have_text("10", timeout=SLOW)
    expect(page.locator("#copy-status")).to_contain_text("Too long to share as a link")
    assert page.url == before  # a reload still finds a program, not a 414
    for button in page.locator("#share [data-copy]").all():
        expect(button).to_be_disabled()
    expect(page.locator("#download-svg")).to_have_attribute("aria-disabled", "true")
    page.reload()
    expect(page.locator("#graph svg g.node").first).to_be_visible(timeout=SLOW)
    no_js_errors(page, (FAILED_FETCH,))


def test_the_value_heading_names_the_output_only_when_it_has_a_name(
    live_server: LiveServer, page: Any
) -> None:
    arrive(page, live_server, "/?source=y+%3D+x+*+2%0Ay&x=3")
    heading = page.locator("#value-heading")
    expect(heading).to_have_text(re.compile(r"^value of y$", re.I), use_inner_text=True)
    set_program(page, "x * 2 + 1")
    expect(page.locator("#value")).to_have_text("7", timeout=SLOW)
    expect(heading).to_have_text(re.compile(r"^value$", re.I), use_inner_text=True)
    no_js_errors(page)


def test_the_api_page_works_without_internet(live_server: LiveServer, page: Any) -> None:
    # Found by exploratory testing: Swagger UI came from a CDN, so /docs was
    # blank on a machine without internet (as this one is); it is vendored now.
    page.goto(live_server.url + "/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/evaluate")).to_be_visible(
        timeout=SLOW
    )
    expect(page.locator(".info .title")).to_contain_text("autograd-viz")
    no_js_errors(page)
