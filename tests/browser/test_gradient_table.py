"""The Gradients table fits its card (audit of issue 21, F5): a model's long
names (`model.W0.weight`) and its notes on who keeps each gradient wrap inside
the card on a laptop and a phone, as the server renders the table and as the
page's script redraws it, and every word of each note is on screen."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from app.api.examples import DATA
from tests.browser.students import SLOW, arrive, no_js_errors, set_program, shot, url
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

MLP = next(
    lesson["source"]
    for lesson in json.loads((DATA / "real-code.json").read_text())["lessons"]
    if lesson["id"] == "torchviz-readme-mlp"
)
# torch keeps a leaf's gradient in .grad; y = model(x) is not a leaf, and
# make_dot(y.mean(), ...) differentiates through it without keeping y's.
NOTES = {
    "y": "not kept: y.grad is None (y.retain_grad() keeps it)",
    "model.W0.weight": "kept in model.W0.weight.grad",
    "model.W0.bias": "kept in model.W0.bias.grad",
    "model.W1.weight": "kept in model.W1.weight.grad",
    "model.W1.bias": "kept in model.W1.bias.grad",
}

# Where the card, the table and each note sit: widths that overflow, and any
# piece of a note's text (one rect per line) outside the card.
LAYOUT = """() => {
  const card = document.querySelector('.grad-card');
  const box = card.getBoundingClientRect();
  const inside = (r) => r.left >= box.left - 0.5 && r.right <= box.right + 0.5;
  const rows = [...card.querySelectorAll('tbody tr[data-name]')].map((tr) => {
    const note = tr.querySelector('.kept-note');
    const range = document.createRange();
    range.selectNodeContents(note);
    const name = tr.querySelector('th code');
    return {
      name: tr.dataset.name,
      note: note.textContent,
      shown: note.innerText.replace(/\\s+/g, ' '),
      noteInside: [...range.getClientRects()].every(inside),
      noteClipped: note.scrollWidth > note.clientWidth + 1,
      nameInside: inside(name.getBoundingClientRect()),
      numInside: inside(tr.querySelector('pre.num').getBoundingClientRect()),
    };
  });
  const table = card.querySelector('table').getBoundingClientRect();
  return {
    card: [card.scrollWidth, card.clientWidth],
    tableInside: inside(table),
    pane: card.closest('.pane').getBoundingClientRect().right >= box.right,
    rows,
  };
}"""


def check_fits(page: Any) -> None:
    layout = page.evaluate(LAYOUT)
    scroll_width, client_width = layout["card"]
    assert scroll_width <= client_width, layout  # no horizontal overflow of the card
    assert layout["tableInside"] and layout["pane"], layout
    assert {row["name"]: row["note"] for row in layout["rows"]} == NOTES
    for row in layout["rows"]:
        assert row["noteInside"] and not row["noteClipped"], row
        assert row["shown"] == row["note"], row  # every word rendered, wrapped not cut
        assert row["nameInside"] and row["numInside"], row


def test_a_models_gradient_table_fits_its_card(live_server: LiveServer, tab: Any) -> None:
    # As the server renders it.
    arrive(tab, url(live_server, source=MLP))
    expect(tab.locator("#gradients tr[data-name]")).to_have_count(len(NOTES))
    check_fits(tab)
    shot(tab, "gradients-mlp")
    # As the script draws it after an edit (a new answer, a new table).
    tab.evaluate("document.querySelector('#gradients .grad-table').dataset.old = 'yes'")
    set_program(tab, MLP.replace("torch.manual_seed(0)", "torch.manual_seed(1)"))
    expect(tab.locator("#gradients .grad-table:not([data-old])")).to_be_attached(timeout=SLOW)
    expect(tab.locator("#gradients tr[data-name]")).to_have_count(len(NOTES))
    check_fits(tab)
    # Known on main, not this table's: a new answer for a model logs one CSP
    # refusal of an inline style (no source file given; reported separately).
    no_js_errors(tab, allowed=("Applying inline style violates",))
