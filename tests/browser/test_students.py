"""Issue 21's findings as a student meets them, each in Chromium on a laptop
(1366x768) and a phone (390x844): what went wrong, and that it no longer does."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.students import (
    FAILED_FETCH,
    SLOW,
    arrive,
    no_js_errors,
    set_program,
    shot,
    url,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

SIN_VALUE = "5.12323"


def test_same_page_links_keep_the_program(live_server: LiveServer, tab: Any) -> None:
    """Finding 1: "Lessons" and "Skip to the editor" wiped the program."""
    arrive(tab, url(live_server))
    set_program(tab, "x = torch.tensor(3.0, requires_grad=True)\ny = x * x")
    expect(tab.locator("#value")).to_have_text("9", timeout=SLOW)
    tab.locator(".site-nav a[href='#gallery']").click()
    expect(tab.locator("#gallery")).to_be_in_viewport()
    tab.wait_for_timeout(500)  # a popstate would have reloaded the state by now
    assert "y = x * x" in tab.input_value("#source-text")
    expect(tab.locator("#value")).to_have_text("9")
    expect(tab.locator("#error")).to_be_hidden()
    # The skip link, by keyboard as it is used: it focuses the editor itself.
    tab.evaluate("() => window.scrollTo(0, 0)")
    tab.focus(".skip-link")  # the first Tab's stop on arrival (test_page.py tests that)
    tab.keyboard.press("Enter")
    expect(tab.locator("#source .cm-content")).to_be_focused()
    tab.wait_for_timeout(500)
    assert "y = x * x" in tab.input_value("#source-text")
    expect(tab.locator("#value")).to_have_text("9")
    # Back goes to the program before (the lesson), not to an empty one.
    tab.go_back()
    tab.wait_for_timeout(500)
    assert tab.input_value("#source-text").strip() != ""
    no_js_errors(tab)


NON_LEAF = "x = torch.tensor(2.0, requires_grad=True)\na = x**2\ny = 3*a + x\ny.backward()\n"


def test_the_gradients_table_agrees_with_what_the_program_prints(
    live_server: LiveServer, tab: Any
) -> None:
    """Finding 2: the table said a = 3 while print(a.grad) printed None."""
    arrive(tab, url(live_server, source=NON_LEAF + "print(a.grad)\n"))
    expect(tab.locator("#stdout")).to_have_text("None")
    row = tab.locator("#gradients tr[data-name=a]")
    expect(row.locator("pre")).to_have_text("3")
    expect(row).to_contain_text("not kept: a.grad is None")
    expect(row).to_contain_text("a.retain_grad() keeps it")
    expect(tab.locator("#gradients tr[data-name=x]")).to_contain_text("kept in x.grad")
    # The node says it too, in the same words.
    a_node = tab.locator("#graph g.node").filter(
        has=tab.locator("text", has_text=re.compile("^a$"))
    )
    expect(a_node).to_have_count(1)
    expect(a_node).to_contain_text("grad, not kept")
    shot(tab, "kept-not-kept")
    # With retain_grad(), torch keeps it: the program prints it, the page says so.
    set_program(
        tab, NON_LEAF.replace("a = x**2\n", "a = x**2\na.retain_grad()\n") + "print(a.grad)"
    )
    expect(tab.locator("#stdout")).to_have_text("tensor(3.)", timeout=SLOW)
    expect(row).to_contain_text("kept in a.grad (retain_grad)")
    expect(a_node.locator("text", has_text=re.compile(r"^\.grad$"))).to_have_count(1)
    # The loop lesson: x names the leaf in the table, another tensor at the end.
    loop = (
        "x = torch.tensor(1.0, requires_grad=True)\nfor i in range(3):\n    x = x*(x+1)\n"
        "y = x\ny.backward()\nprint(x.grad)"
    )
    set_program(tab, loop)
    expect(tab.locator("#stdout")).to_have_text("None", timeout=SLOW)
    x = tab.locator("#gradients tr[data-name=x]")
    expect(x.locator("pre")).to_have_text("195")
    expect(x).to_contain_text("x now names line 3's result")
    no_js_errors(tab)


def test_a_tapped_lesson_shows_its_graph_without_the_keyboard(
    live_server: LiveServer, tab: Any
) -> None:
    """Finding 9: a tap focused the editor (the on-screen keyboard opened), the
    graph was two screens below the drawing options, and Ctrl+Enter showed."""
    arrive(tab, url(live_server))
    lesson = tab.locator("#lessons a[data-lesson=loop]")
    if tab.viewport_name == "phone":
        lesson.tap()
    else:
        lesson.click()
    expect(tab.locator("#value")).to_have_text("42", timeout=SLOW)
    editor_focused = tab.evaluate("() => !!document.activeElement.closest('.cm-editor')")
    assert editor_focused == (tab.viewport_name == "laptop")
    hint = expect(tab.locator(".kbd-hint"))
    hint.to_be_visible() if tab.viewport_name == "laptop" else hint.to_be_hidden()
    # The graph comes before the drawing options, right after the answer.
    graph = tab.locator(".graph-frame").bounding_box()
    options = tab.locator("#options").bounding_box()
    value = tab.locator(".value-card").bounding_box()
    assert graph and options and value
    assert graph["y"] < options["y"]
    if tab.viewport_name == "phone":
        assert graph["y"] - (value["y"] + value["height"]) < 844  # under a screen away
    shot(tab, "lesson-tapped")
    no_js_errors(tab)


def test_the_value_and_state_survive_a_back_after_a_fragment(
    live_server: LiveServer, tab: Any
) -> None:
    arrive(tab, url(live_server))
    tab.locator(".site-nav a[href='#gallery']").click()
    tab.go_back()
    tab.wait_for_timeout(400)
    expect(tab.locator("#value")).to_have_text(SIN_VALUE)
    assert "sin" in tab.input_value("#source-text")
    assert "source" not in parse_qs(urlsplit(tab.url).query) or "sin" in tab.url
    no_js_errors(tab, allowed=(FAILED_FETCH,))


def test_an_img_of_a_broken_program_shows_why(live_server: LiveServer, tab: Any) -> None:
    """Finding 6: a course page's <img> of a broken program was a broken-image icon."""
    broken = url(live_server, "/api/v1/graph.svg", source="x = 1\ny = (x +* 2)")
    working = url(live_server, "/api/v1/graph.svg", source="3*sin(x) + x + 3", x="5")
    as_png = url(live_server, "/api/v1/graph.png", source="import os")
    statuses: dict[str, int] = {}
    tab.on("response", lambda r: statuses.__setitem__(r.url, r.status))
    tab.set_content(
        "<!doctype html><title>course</title>"
        f'<img id="broken" src="{broken}" alt="graph"><img id="working" src="{working}" alt="g">'
        f'<img id="png" src="{as_png}" alt="graph">'
    )
    for image in ("broken", "working", "png"):
        tab.wait_for_function(f"() => document.getElementById('{image}').complete")
        width = tab.evaluate(f"() => document.getElementById('{image}').naturalWidth")
        assert width > 0, f"{image}: the browser drew nothing"
    assert statuses[broken] == 400 and statuses[as_png] == 400 and statuses[working] == 200
    shot(tab, "img-card")
    no_js_errors(tab, allowed=("status of 400",))


def test_the_graph_is_text_for_a_screen_reader_and_the_value_is_announced(
    live_server: LiveServer, tab: Any
) -> None:
    """Finding 8: the graph's only text was usage instructions; the live region
    said "46 ms", never the value; role=alert fired on every pause."""
    arrive(tab, url(live_server))
    graph = tab.locator("#graph")
    assert graph.get_attribute("aria-describedby") == "graph-text-summary"
    summary = tab.locator("#graph-text-summary")
    expect(summary).to_have_text("The graph as text: 7 nodes, 7 edges, backward() ran 5 steps")
    items = tab.locator("#graph-text li")
    expect(items).to_have_count(7)
    tab.locator("#graph-text summary").click()
    expect(items.first).to_contain_text("x a leaf tensor, line 1: value 5")
    expect(tab.locator("#graph-text")).to_contain_text("gradient 1.85099 (kept in x.grad)")
    expect(tab.locator("#graph-text")).to_contain_text("SinBackward0 #4")
    expect(tab.locator("#graph-text")).to_contain_text("passed back")
    expect(items.last).to_contain_text("y the output")
    # The value is what a screen reader hears after a change; the timing is not live.
    assert tab.get_attribute("#status", "aria-live") is None
    set_program(tab, "x = torch.tensor(3.0, requires_grad=True)\ny = x * x")
    expect(tab.locator("#announce")).to_have_text("y = 9. gradient of x: 6.", timeout=SLOW)
    # An error is not an alert, and is announced only once typing has paused.
    assert tab.get_attribute("#error", "role") is None
    tab.locator("#source .cm-content").click()
    tab.keyboard.press("Control+End")
    tab.keyboard.type("\nz = torch.ten", delay=60)
    expect(tab.locator("#error")).to_be_visible(timeout=SLOW)
    assert "Error" not in tab.inner_text("#announce")  # not yet: typing just stopped
    expect(tab.locator("#announce")).to_contain_text("line 3", timeout=5_000)
    expect(tab.locator("#announce")).to_contain_text("torch.ten")
    no_js_errors(tab, allowed=(FAILED_FETCH,))


def test_a_typo_gets_did_you_mean_and_a_whole_squiggle_and_nothing_moves(
    live_server: LiveServer, tab: Any
) -> None:
    """Finding 12: `rnage(3)` got no suggestion, the squiggle covered one
    character, and the error box pushed the form down each time."""
    arrive(tab, url(live_server))
    set_program(tab, "y = 0\nfor i in range(3):\n    y = y + i\n")
    expect(tab.locator("#value")).to_have_text("3", timeout=SLOW)
    below = tab.locator("#program").bounding_box()
    set_program(tab, "y = 0\nfor i in rnage(3):\n    y = y + i\n")
    error = tab.locator("#error")
    expect(error).to_contain_text("Did you mean: 'range'?", timeout=SLOW)
    expect(error).to_contain_text("Line 2, column 10")
    expect(tab.locator("#source .cm-error-mark")).to_have_text("rnage")
    moved = tab.locator("#program").bounding_box()
    assert below and moved and abs(moved["height"] - below["height"]) < 2
    shot(tab, "typo")
    set_program(tab, "y = 0\nfor i in range(4):\n    y = y + i\n")
    expect(error).to_be_hidden(timeout=SLOW)
    expect(tab.locator("#value")).to_have_text("6")
    again = tab.locator("#program").bounding_box()
    assert again and abs(again["height"] - below["height"]) < 2
    no_js_errors(tab, allowed=(FAILED_FETCH,))


def test_overflow_names_and_digits_as_a_student_reads_them(
    live_server: LiveServer, tab: Any
) -> None:
    """Finding 15: an overflow passed without a word; an unnamed output's
    header was blank; nodes showed fewer digits than the table; a shared link
    reordered the inputs; the snippet boxes cut their text."""
    overflow = (
        "x = torch.tensor(1.0, requires_grad=True)\nfor i in range(30):\n    x = x*(x+1)\ny = x\n"
    )
    arrive(tab, url(live_server, source=overflow, output="y"))
    warnings = tab.locator("#warnings")
    expect(warnings).to_contain_text("The value of y holds inf")
    expect(warnings).to_contain_text("float64")
    expect(tab.locator("#value")).to_have_text("∞")
    # An unnamed output is headed "output"; its digits are the table's.
    set_program(tab, "3*sin(x) + x + 3")
    tab.fill("#inputs", "x=5, a=2")
    expect(tab.locator("#value")).to_have_text("5.12323", timeout=SLOW)
    output = tab.locator("#graph g.node.output")
    expect(output.locator("text").first).to_have_text("output")
    expect(output).to_contain_text("5.12323")
    expect(tab.locator("#graph g.node.leaf")).to_contain_text("1.85099")
    # The link keeps the inputs in the order typed (x before a), the server's too.
    tab.locator(".snippets summary").click()
    permalink = tab.input_value("#snippet-permalink")
    assert permalink.index("x=5") < permalink.index("a=2")
    tab.goto(permalink)
    expect(tab.locator("#inputs")).to_have_value("x=5, a=2")
    tab.locator(".snippets summary").click()
    for snippet in ("#snippet-img", "#snippet-iframe"):
        box = tab.locator(snippet)
        cut = box.evaluate("(e) => e.scrollHeight > e.clientHeight + 1")
        assert not cut, f"{snippet} cuts its text"
    no_js_errors(tab)


def test_the_page_comes_back_with_the_server(browser: Any, tmp_path: Any) -> None:
    """Finding 13: after a restart the page kept "The server did not answer.
    Is it running?" until the next edit."""
    from tests.browser.students import open_tab
    from tests.conftest import free_port, start_server, stop_server

    port = free_port()
    server = start_server(tmp_path, name="comeback", port=port)
    tab = open_tab(browser, "laptop")
    try:
        arrive(tab, url(server))
        stop_server(server)
        set_program(tab, "x = torch.tensor(2.0, requires_grad=True)\ny = x * 4")
        error = tab.locator("#error")
        expect(error).to_contain_text("Can't reach the server", timeout=SLOW)
        expect(error).to_contain_text("Trying again in")
        server = start_server(tmp_path, name="comeback-again", port=port)
        expect(tab.locator("#value")).to_have_text("8", timeout=40_000)  # no edit needed
        expect(error).to_be_hidden()
    finally:
        tab.context.close()
        stop_server(server)
