"""An image URL of a failing program answers an SVG card an <img> can show
(app/api/cards.py): the problem's status and code in headers, the error and
its line on the card, every text escaped; JSON callers still get JSON."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from app.api.cards import card_svg

BROWSER_IMG = {"accept": "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"}
SVG = "{http://www.w3.org/2000/svg}"


def card_texts(body: bytes) -> list[str]:
    root = ET.fromstring(body)  # well-formed XML, or this raises
    return [t.text or "" for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("path", "query", "status", "code"),
    [
        ("/api/v1/graph.svg", {"source": "x = 1\ny = (x +* 2)"}, 400, "syntax_error"),
        ("/api/v1/graph.png", {"source": "import os"}, 400, "not_allowed"),
        ("/api/v1/graph.svg", {"source": "torch.ones(2) @ torch.ones(3)"}, 400, "runtime_error"),
        ("/api/v1/graph.svg", {"source": "torch.ones(10**10)"}, 422, "limit_exceeded"),
        ("/api/v1/graph.svg", {"source": "x", "rankdir": "XY"}, 422, "invalid_request"),
        ("/api/v1/plot.svg", {"source": "x +"}, 400, "syntax_error"),
        ("/api/v1/figure.svg", {"source": "plt.savefig('x.png')", "n": "0"}, 400, "not_allowed"),
        (
            "/api/v1/figure.png",
            {"source": "plt.title('A' * 5000)", "n": "0"},
            422,
            "limit_exceeded",
        ),
        ("/api/v1/figure.svg", {"source": "plt.plot([1, 2])", "n": "1"}, 422, "invalid_request"),
    ],
)
def test_an_img_of_a_failing_program_gets_a_card(
    client: Any, path: str, query: dict[str, str], status: int, code: str
) -> None:
    response = client.get(path, params=query, headers=BROWSER_IMG)
    assert response.status_code == status
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["x-problem-code"] == code
    assert response.headers["x-problem-type"] == f"/problems/{code}"
    assert response.headers["link"] == f'</problems/{code}>; rel="describedby"'
    texts = card_texts(response.content)
    assert texts[0].endswith(f"({status})")
    assert any(f"problem {code}" in t for t in texts)
    # The same URL asked for as JSON (curl, httpx, fetch) is the problem+json.
    plain = client.get(path, params=query)
    assert plain.status_code == status
    assert plain.headers["content-type"] == "application/problem+json"
    assert plain.json()["code"] == code


def test_the_card_shows_the_line_and_a_caret_under_the_column(client: Any) -> None:
    response = client.get(
        "/api/v1/graph.svg", params={"source": "x = 1\ny = (x +* 2)"}, headers=BROWSER_IMG
    )
    texts = card_texts(response.content)
    assert "Line 2, column 9" in texts
    assert "y = (x +* 2)" in texts
    assert " " * 8 + "^" in texts  # under column 9
    assert (response.headers["x-problem-line"], response.headers["x-problem-column"]) == ("2", "9")


def test_what_a_program_says_reaches_the_card_only_as_text(client: Any) -> None:
    hostile = 'x = 1\ny = "</text><script>alert(1)</script>" +* 2'
    response = client.get("/api/v1/graph.svg", params={"source": hostile}, headers=BROWSER_IMG)
    assert response.status_code == 400
    body = response.content.decode()
    assert "<script" not in body and "&lt;script&gt;" in body
    root = ET.fromstring(response.content)
    assert {el.tag.removeprefix(SVG) for el in root.iter()} <= {"svg", "rect", "text"}
    assert response.headers["content-security-policy"].endswith("sandbox")


def test_a_long_detail_and_a_long_line_are_wrapped_and_bounded(client: Any) -> None:
    source = "y = 1 + " + "q" * 500 + " +* 2"
    response = client.get("/api/v1/graph.svg", params={"source": source}, headers=BROWSER_IMG)
    assert response.status_code == 400
    assert max(len(t) for t in card_texts(response.content)) <= 80
    long = card_svg({"title": "Runtime error", "status": 400, "detail": "word " * 400}, None)
    texts = card_texts(long)
    assert max(len(t) for t in texts) <= 80 and len(texts) <= 12
    assert texts[-2].endswith("…")


def test_an_image_that_works_is_still_the_image(client: Any) -> None:
    response = client.get(
        "/api/v1/graph.svg", params={"source": "sin(x)", "x": "1"}, headers=BROWSER_IMG
    )
    assert response.status_code == 200 and "x-problem-code" not in response.headers
    assert b'class="node' in response.content
