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
