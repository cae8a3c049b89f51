"""A model on the page, in real headless Chromium against a real server: the nn
lessons of the gallery, the Parameters table, the module boxes and their hover."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from app.api.examples import DATA
from tests.browser.test_page import SLOW, arrive, no_js_errors, set_program, shot
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

REAL_CODE = {
    lesson["id"]: lesson for lesson in json.loads((DATA / "real-code.json").read_text())["lessons"]
}
NN_LESSONS = ["torchviz-readme-mlp", "xor-net-sgd", "polynomial-adam"]


def box(page: Any, label: str) -> Any:
    return page.locator("#graph g.cluster", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))


@pytest.mark.parametrize("lesson_id", NN_LESSONS)
def test_the_nn_lessons_of_the_gallery(live_server: LiveServer, page: Any, lesson_id: str) -> None:
    arrive(page, live_server)
    page.click(f"#lessons a[data-lesson={lesson_id}]")
    stdout = REAL_CODE[lesson_id]["expect"]["stdout"]
    expect(page.locator("#stdout")).to_have_text(stdout.rstrip("\n"), timeout=SLOW)
    expect(page.locator("#parameters-card")).to_be_visible()
    assert page.locator("#parameters tr[data-name]").count() >= 2
    shot(page, f"page-nn-{lesson_id}")
    no_js_errors(page)


def test_the_readme_model_parameters_and_boxes(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    page.click("#lessons a[data-lesson=torchviz-readme-mlp]")
    rows = page.locator("#parameters tr[data-name]")
    expect(rows).to_have_count(4, timeout=SLOW)
    names = [rows.nth(i).get_attribute("data-name") for i in range(4)]
    assert names == ["model.W0.weight", "model.W0.bias", "model.W1.weight", "model.W1.bias"]
    expect(rows.nth(0).locator("td.shape")).to_have_text("16 × 8")
    norm = rows.nth(0).locator("td.num").inner_text()
    assert float(norm) > 0
    expect(box(page, "model: Sequential")).to_have_count(1)
    expect(box(page, "W0: Linear")).to_have_count(1)
    # A row lights up its parameter's node in the graph.
    rows.nth(0).hover()
    expect(page.locator("#graph g.node.is-linked")).to_have_count(1)
    # A module box lights up the line that made its module.
    box(page, "W0: Linear").locator("text").hover()
    expect(box(page, "W0: Linear")).to_have_class(re.compile("is-hovered"))
    mark = page.locator("#source .cm-span-hl")
    expect(mark.first).to_be_visible()
    assert "nn.Linear(8, 16)" in " ".join(mark.all_inner_texts())
    shot(page, "page-nn-module-hover")
    no_js_errors(page)


def test_the_checkbox_turns_the_module_boxes_off(live_server: LiveServer, page: Any) -> None:
    arrive(page, live_server)
    set_program(page, REAL_CODE["xor-net-sgd"]["source"])
    expect(box(page, "net: Net")).to_have_count(1, timeout=SLOW)
    expect(box(page, "fc1: Linear")).to_have_count(1)
    page.uncheck("#options input[name=group_modules]")
    expect(box(page, "net: Net")).to_have_count(0, timeout=SLOW)
    expect(page.locator("#graph g.cluster")).to_have_count(1)  # the loop's iteration
    assert "group_modules=false" in page.url
    no_js_errors(page)


def test_a_program_without_a_model_has_no_parameters_table(
    live_server: LiveServer, page: Any
) -> None:
    arrive(page, live_server)
    expect(page.locator("#parameters-card")).to_be_hidden()
    set_program(page, "layer = nn.Linear(2, 1)\ny = layer(torch.ones(1, 2))")
    expect(page.locator("#parameters tr[data-name='layer.weight']")).to_be_visible(timeout=SLOW)
    set_program(page, "x = torch.ones(2, requires_grad=True)\ny = (x * 2).sum()")
    expect(page.locator("#parameters-card")).to_be_hidden(timeout=SLOW)
    no_js_errors(page)


def test_a_program_pasted_over_the_lesson_draws_its_own_make_dot(
    live_server: LiveServer, page: Any
) -> None:
    """The arrival's lesson names its output `y`; the README model pasted over
    it also has a `y`, but draws what its make_dot call draws: y.mean()."""
    arrive(page, live_server)
    assert page.input_value("#output") == "y"
    source = REAL_CODE["torchviz-readme-mlp"]["source"]
    with page.expect_response("**/api/v1/evaluate") as answer:
        set_program(page, source)
    assert json.loads(answer.value.request.post_data)["output"] is None
    assert page.input_value("#output") == ""
    nodes = answer.value.json()["graph"]["nodes"]
    assert "MeanBackward0" in [n["label"] for n in nodes if n["kind"] == "op"]
    # An edit of the program keeps a name the student chose.
    page.fill("#output", "y")
    with page.expect_response("**/api/v1/evaluate") as again:
        page.keyboard.press("Control+End")
        page.click("#source .cm-content")
        page.keyboard.press("Control+End")
        page.keyboard.insert_text("\nz = 1\n")
    assert json.loads(again.value.request.post_data)["output"] == "y"
