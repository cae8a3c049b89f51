"""The figures on the page, in real headless Chromium against a real server.

A student pastes a program that plots and sees the figure beside the graph,
copies its <img>, downloads it, uses the keyboard only, makes a mistake
(the figures grey), or has no JavaScript (the figures are images of their
URLs). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.api.test_real_code_figures import CELLS, IDS
from tests.browser.test_page import FAILED_FETCH, SLOW, arrive, no_js_errors, set_program, shot
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

PLOTS = """import matplotlib.pyplot as plt
x = torch.linspace(-5, 5, 100, requires_grad=True)
y = x*torch.cos(4*x) + 2*torch.abs(x)
plt.figure(figsize=(12, 4))
plt.plot(x.detach(), y.detach(), label='objective')
plt.legend()
plt.title('The objective')
fig, axes = plt.subplots(1, 2)
axes[0].hist(y.detach(), bins=20)
axes[1].plot([1, 2, 3], 'o-')
z = y.sum()"""


def loaded(page: Any, selector: str) -> None:
    """Every image matching `selector` is loaded and drawn (not a broken image)."""
    expect(page.locator(selector).first).to_be_visible(timeout=SLOW)
    page.wait_for_function(
        "s => [...document.querySelectorAll(s)].every(i => i.complete && i.naturalWidth > 0)",
        arg=selector,
        timeout=SLOW,
    )


def test_arriving_at_a_program_that_plots_shows_its_figures(
    live_server: LiveServer, page: Any
) -> None:
    arrive(page, live_server, "/?" + urlencode({"source": PLOTS}))
    expect(page.locator("#figures")).to_be_visible()
    expect(page.locator("#figures-count")).to_have_text("2")
    expect(page.locator("#figure-list .figure-title")).to_have_text(["The objective", "Figure 2"])
    loaded(page, "#figure-list img")
    widths = page.eval_on_selector_all("#figure-list img", "is => is.map(i => i.naturalWidth)")
    assert widths[0] > widths[1] > 100  # 12 x 4 inches, then 6.4 x 4.8
    page.locator("#figures").scroll_into_view_if_needed()
    shot(page, "figures-arrival")
    no_js_errors(page)


def test_typing_a_plot_shows_it_and_removing_it_hides_the_panel(
    live_server: LiveServer, page: Any
) -> None:
    arrive(page, live_server)
    expect(page.locator("#figures")).to_be_hidden()
    with page.expect_response("**/api/v1/evaluate") as answer:
        set_program(page, "plt.plot([3, 1, 2], 'o-', label='steps')\nplt.legend()\ny = 1")
    loaded(page, "#figure-list img")
    source = page.get_attribute("#figure-list img", "src")
    assert source and source.startswith("blob:")  # the answer's own SVG, no request
    expect(page.locator("#figures-count")).to_have_text("1")
    (figure,) = answer.value.json()["figures"]
    assert figure["svg"].startswith("<svg") and figure["title"] == "Figure 1"
    with page.expect_response("**/api/v1/evaluate"):
        set_program(page, "x = torch.tensor(2.0, requires_grad=True)\ny = x * x")
    expect(page.locator("#figures")).to_be_hidden()
    no_js_errors(page)


def test_copy_img_and_downloads(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server, "/?" + urlencode({"source": PLOTS}))
    loaded(page, "#figure-list img")
    first = page.locator("#figure-list .figure-card").first
    first.get_by_role("button", name="Copy <img>").click()
    expect(page.locator("#figures-status")).to_contain_text("copied")
    snippet = page.evaluate("() => navigator.clipboard.readText()")
    found = re.fullmatch(r'<img src="([^"]+)" alt="The objective">', snippet)
    assert found, snippet
    url = found.group(1).replace("&amp;", "&")
    assert url.startswith(live_server.url + "/api/v1/figure.svg?") and url.endswith("&n=0")
    served = page.request.get(url)
    assert served.status == 200 and served.headers["content-type"] == "image/svg+xml"
    svg_link = first.get_by_role("link", name="Download SVG")
    assert svg_link.get_attribute("download") == "figure-1.svg"
    png_link = first.get_by_role("link", name="Download PNG")
    png = page.request.get(live_server.url + png_link.get_attribute("href"))
    assert png.status == 200 and png.body()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as download:
        svg_link.click()
    assert download.value.suggested_filename == "figure-1.svg"
    no_js_errors(page)


def test_the_figures_by_keyboard(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server, "/?" + urlencode({"source": PLOTS}))
    loaded(page, "#figure-list img")
    copy = page.locator("#figure-list .figure-card").nth(1).get_by_role("button", name="Copy <img>")
    copy.focus()
    page.keyboard.press("Shift+Tab")  # back to the figure itself, a link that opens it
    focused = page.evaluate("() => document.activeElement.className")
    assert focused == "figure-open"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#figures-status")).to_contain_text("Figure 2")
    assert page.evaluate("() => navigator.clipboard.readText()").endswith('n=1" alt="Figure 2">')
    no_js_errors(page)


def test_a_mistake_greys_the_figures(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server, "/?" + urlencode({"source": PLOTS}))
    loaded(page, "#figure-list img")
    with page.expect_response("**/api/v1/evaluate"):
        set_program(page, PLOTS + "\nplt.savefig('x.png')")
    expect(page.locator("#error")).to_contain_text("savefig")
    expect(page.locator("#figures")).to_have_class(re.compile("is-stale"))
    # The editor's own (on main too): an error in a program that starts with
    # `import` makes CodeMirror try an inline style, which the page's CSP refuses.
    no_js_errors(page, (FAILED_FETCH, "Applying inline style violates"))


def test_dark_figures_in_the_dark_theme(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server, "/?" + urlencode({"source": PLOTS, "theme": "dark"}))
    loaded(page, "#figure-list img")
    source = page.get_attribute("#figure-list img", "src")
    svg = page.evaluate("async s => await (await fetch(s)).text()", source)
    assert "#0d1117" in svg
    # Shown in the page's theme; the <img> it hands out is not (as the graph's links).
    page.locator("#figure-list .figure-card").first.get_by_role("button", name="Copy <img>").click()
    expect(page.locator("#figures-status")).to_contain_text("copied")
    assert "theme=" not in page.evaluate("() => navigator.clipboard.readText()")
    page.locator("#figures").scroll_into_view_if_needed()
    shot(page, "figures-dark")
    no_js_errors(page)


def test_without_javascript_the_figures_are_images(live_server: LiveServer, browser: Any) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 860}
    )
    page = context.new_page()
    page.goto(live_server.url + "/?" + urlencode({"source": PLOTS}))
    loaded(page, "#figure-list img")
    expect(page.locator("#figure-list img")).to_have_count(2)
    assert page.get_attribute("#figure-list img", "src").startswith("/api/v1/figure.svg?")
    context.close()


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_the_notebooks_plotting_cells_on_the_page(
    live_server: LiveServer, page: Any, cell: dict[str, Any]
) -> None:
    """Cells 12 and 13 pasted as they are: what Python prints, and their figure."""
    arrive(page, live_server)
    with page.expect_response("**/api/v1/evaluate") as answer:
        set_program(page, cell["source"])
    assert answer.value.status == 200
    expect(page.locator("#stdout-box")).to_be_visible()
    assert page.text_content("#stdout") == cell["expect"]["stdout"]
    loaded(page, "#figure-list img")
    expect(page.locator("#figure-list img")).to_have_count(1)
    width = page.eval_on_selector("#figure-list img", "i => i.naturalWidth")
    assert width > 800  # figsize=(12, 4): a wide figure
    page.locator("#figures").scroll_into_view_if_needed()
    shot(page, f"figures-{cell['id']}")
    # Arriving at the cell's link shows the same figure, from its URL.
    page.goto(page.url)
    loaded(page, "#figure-list img")
    assert page.get_attribute("#figure-list img", "src").startswith("/api/v1/figure.svg?")
    assert page.text_content("#stdout") == cell["expect"]["stdout"]
    no_js_errors(page, ("Applying inline style violates",))


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_the_plotting_cells_from_their_lesson_cards(
    live_server: LiveServer, page: Any, cell: dict[str, Any]
) -> None:
    arrive(page, live_server)
    page.click(f"#lessons a[data-lesson={cell['id']}]")
    expect(page.locator("#stdout")).to_have_text(cell["expect"]["stdout"], timeout=SLOW)
    loaded(page, "#figure-list img")
    expect(page.locator("#figure-list img")).to_have_count(1)
    expect(page.locator("#figures-count")).to_have_text("1")
    if cell["id"] == "verbatim-cell12-objective-plot":  # its output, theta_true, is a float
        expect(page.locator("#graph .graph-empty")).to_contain_text(
            "the output theta_true is a float, not a tensor"
        )
    no_js_errors(page, ("Applying inline style violates",))


def test_arriving_at_a_plot_fetches_each_figure_once(live_server: LiveServer, page: Any) -> None:
    """The server's own <img> and the script's card show the same URL: one request."""
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/api/v1/figure.svg" in r.url else None)
    page.goto(live_server.url + "/?" + urlencode({"source": PLOTS}))
    loaded(page, "#figure-list img")
    expect(page.locator("#figure-list img")).to_have_count(2)
    page.wait_for_load_state("networkidle")
    assert len(fetched) == 2 and len(set(fetched)) == 2, fetched
