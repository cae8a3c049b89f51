"""NumPy on the page, in real headless Chromium against a real server.

The notebook's cell 2 prints on the page exactly what Python printed, from
its lesson card and as typed; an ndarray output shows its value, dtype and
shape, and the graph pane says why there is no graph (in the server's
first rendering and in the live page alike).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.browser.test_page import SLOW, arrive, no_js_errors, set_program, shot
from tests.conftest import LiveServer
from tests.evaluate.numpy_programs import cell

pytestmark = pytest.mark.browser

CELL2 = cell("verbatim-cell2-numpy-torch")
ARRAY_PROGRAM = "x = np.linspace(0, 1, 3)\ny = x * 2"
NO_GRAPH = "The graph is not drawn: the output is a NumPy array"


def test_cell_2_prints_what_python_printed_from_its_lesson_card(
    live_server: LiveServer, page: Any
) -> None:
    arrive(page, live_server)
    page.click(f"#lessons a[data-lesson={CELL2['id']}]")
    stdout = page.locator("#stdout")
    expect(stdout).to_have_text(CELL2["expect"]["stdout"], timeout=SLOW)
    assert stdout.text_content() == CELL2["expect"]["stdout"]
    shot(page, "page-numpy-cell2")
    no_js_errors(page)


def test_cell_2_typed_prints_the_same(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    set_program(page, CELL2["source"])
    stdout = page.locator("#stdout")
    expect(stdout).to_have_text(CELL2["expect"]["stdout"], timeout=SLOW)
    assert stdout.text_content() == CELL2["expect"]["stdout"]
    no_js_errors(page)


def test_an_ndarray_output_shows_its_value_and_why_there_is_no_graph(
    live_server: LiveServer, page: Any
) -> None:
    arrive(page, live_server)
    set_program(page, ARRAY_PROGRAM)
    expect(page.locator("#value")).to_have_text("[0, 1, 2]", timeout=SLOW)
    expect(page.locator("#value-meta")).to_have_text("float64 · shape 3")
    expect(page.locator("#graph .graph-empty")).to_contain_text(NO_GRAPH)
    shot(page, "page-numpy-output")
    # The server's own first rendering of the same program says the same.
    page.goto(f"{live_server.url}/?{urlencode({'source': ARRAY_PROGRAM})}")
    expect(page.locator("#value")).to_have_text("[0, 1, 2]", timeout=SLOW)
    expect(page.locator("#graph .graph-empty")).to_contain_text(NO_GRAPH)
    no_js_errors(page)
