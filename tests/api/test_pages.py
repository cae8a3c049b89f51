"""GET / and GET /embed as HTML, in-process (`client`, with the real worker pool).

The browser tests (tests/browser/) drive the same pages in Chromium; these
check what the server sends: the answer already rendered, the state in the
URL, the plain form, the security headers, the escaping.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from app.api.examples import load_examples
from app.api.pages import format_number, format_value, parse_inputs_text
from app.errors import InvalidRequest


def initial_state(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="initial-state">(.*?)</script>', html)
    assert match, "no #initial-state block"
    state: dict[str, Any] = json.loads(match.group(1))
    return state


def csp(response: Any) -> dict[str, str]:
    header = response.headers["content-security-policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_the_page_arrives_evaluated(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    # The notebook's first graph, drawn and computed before any script runs.
    assert "y = 3*torch.sin(x) + x+3" in html
    assert re.search(r'<div id="graph"[^>]*>\s*<svg', html)
    assert re.search(r'<pre id="value" class="value">5.12323</pre>', html)
    # (a line may break after the note's dot: <wbr>, as the script draws it)
    assert re.search(
        r'<tr data-name="x" data-kept="leaf">.*?1.85099.*?kept in x\.<wbr>grad', html, re.S
    )
    state = initial_state(html)
    assert state["result"]["value"] == pytest.approx(5.123227, rel=1e-5)
    assert "svg" not in state["result"]  # it is in the page once, not twice
    assert state["result"]["graph"]["backward_order"]
    assert state["error"] is None
    assert html.count('data-lesson="') == len(load_examples().examples)
    for element_id in ("source", "graph", "value", "gradients", "error", "share", "optimize"):
        assert f'id="{element_id}"' in html


def test_the_pages_allow_no_inline_script_or_style(client: Any) -> None:
    for path in ("/", "/embed?source=3*sin(x)&x=5", "/?source=y%20%3D%20(x"):
        response = client.get(path)
        policy = csp(response)
        assert policy["script-src"] == "'self'"
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert policy["style-src"].startswith("'self'")
        html = response.text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'src="/static/' in tag or 'type="application/json"' in tag
        assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
        assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
        assert "<style" not in html
    # CodeMirror's own stylesheet gets in by this response's nonce, and only on `/`.
    page = client.get("/")
    nonce = initial_state(page.text)["style_nonce"]
    assert csp(page)["style-src"] == f"'self' 'nonce-{nonce}'"
    assert (
        client.get("/").headers["content-security-policy"]
        != page.headers["content-security-policy"]
    )
    assert csp(page)["frame-ancestors"] == "'none'"
    assert csp(client.get("/embed?source=1"))["frame-ancestors"] == "* file:"


def test_user_text_is_escaped_everywhere(client: Any) -> None:
    evil = "</script><script>alert(1)</script>\n'\"<img src=x onerror=alert(2)>"
    response = client.get("/", params={"source": evil})
    assert response.status_code == 200
    html = response.text
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert initial_state(html)["state"]["source"] == evil.rstrip()


def test_the_state_comes_from_the_query(client: Any) -> None:
    response = client.get(
        "/", params={"source": "3*sin(x) + x + 3", "x": "2", "rankdir": "LR", "show_grads": "false"}
    )
    html = response.text
    state = initial_state(html)["state"]
    assert state["inputs"] == {"x": 2}
    assert state["options"]["rankdir"] == "LR" and state["options"]["show_grads"] is False
    assert 'value="x=2"' in html
    assert '<option value="LR" selected>' in html
    assert not re.search(r'name="show_grads" value="true"\s+checked', html)
    assert '<pre id="value" class="value">7.72789</pre>' in html
    permalink = re.search(r'id="snippet-permalink" type="text" readonly value="([^"]+)"', html)
    assert permalink
    query = dict(parse_qsl(urlsplit(permalink.group(1).replace("&amp;", "&")).query))
    assert query == {"source": "3*sin(x) + x + 3", "rankdir": "LR", "show_grads": "false", "x": "2"}


def test_a_source_error_is_rendered_in_the_page(client: Any) -> None:
    response = client.get("/", params={"source": "x = 1\ny = (x +* 2)"})
    assert response.status_code == 200
    html = response.text
    error = initial_state(html)["error"]
    assert error["code"] == "syntax_error" and error["line"] == 2
    # Not role=alert: errors are announced politely, once typing pauses (app.js).
    assert re.search(r'<div id="error" class="error-box">', html)
    assert f"Line 2, column {error['column']}" in html


def test_the_plain_form_redirects_to_the_canonical_query(client: Any) -> None:
    form = [
        ("_form", "1"),
        ("source", "3*sin(x)"),
        ("_inputs", "x=2, w=[1, 2]"),
        ("output", ""),
        ("show_values", "true"),
        ("show_grads", "true"),
        ("group_loops", "true"),  # show_edge_grads unticked: absent
        ("group_modules", "true"),
        ("rankdir", "LR"),
        ("style", "default"),
        ("theme", "light"),
    ]
    response = client.get("/", params=form, follow_redirects=False)
    assert response.status_code == 303
    assert parse_qsl(urlsplit(response.headers["location"]).query) == [
        ("source", "3*sin(x)"),
        ("rankdir", "LR"),
        ("show_edge_grads", "false"),
        ("x", "2"),
        ("w", "[1, 2]"),
    ]


def test_a_form_with_unreadable_inputs_says_why(client: Any) -> None:
    response = client.get("/", params={"_form": "1", "source": "x", "_inputs": "x 5"})
    assert response.status_code == 200
    assert "write each as name=value" in response.text
    assert "x 5" in response.text


def test_the_theme_cookie_renders_the_arrival_dark(client: Any) -> None:
    response = client.get("/", headers={"cookie": "avz_theme=dark"})
    assert '<html lang="en" data-theme="dark">' in response.text
    assert initial_state(response.text)["state"]["options"]["theme"] == "dark"
    # The URL wins over the cookie.
    response = client.get("/?source=1&theme=light", headers={"cookie": "avz_theme=dark"})
    assert '<html lang="en" data-theme="light">' in response.text


def test_the_embed_page_is_the_graph_alone(client: Any) -> None:
    response = client.get("/embed", params={"source": "3*sin(x) + x + 3", "x": "5"})
    assert response.status_code == 200
    html = response.text
    assert "<svg" in html and re.search(r'<code id="value"[^>]*>5.12323</code>', html)
    assert "1.85099" in html
    assert 'id="source"' not in html and "<header" not in html
    # Relative: an iframe resolves it against the embed's own address, never the Host header.
    assert 'href="/?source=3%2Asin%28x%29+%2B+x+%2B+3&amp;x=5"' in html


def test_the_embed_page_needs_a_program(client: Any) -> None:
    response = client.get("/embed", headers={"accept": "text/html"})
    assert response.status_code == 422
    assert "the query parameter &#39;source&#39; (the program) is required" in response.text


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("x=5", [("x", "5")]),
        (" x = 5 , w=[1, 2],", [("x", "5"), ("w", "[1, 2]")]),
        ("m=[[1, 2], [3, 4]]", [("m", "[[1, 2], [3, 4]]")]),
        ("", []),
    ],
)
def test_parse_inputs_text(text: str, pairs: list[tuple[str, str]]) -> None:
    assert parse_inputs_text(text) == pairs


@pytest.mark.parametrize("text", ["x", "x 5", "1x=2", "source=1", "rankdir=LR", "_a=1"])
def test_parse_inputs_text_refuses(text: str) -> None:
    with pytest.raises(InvalidRequest):
        parse_inputs_text(text)


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (5.123227, "5.12323"),
        (1.850987, "1.85099"),
        (42.0, "42"),
        (195, "195"),
        (-0.2484409, "-0.248441"),
        (1e-7, "1e-7"),
        (123456789.5, "1.23457e8"),
        ("inf", "∞"),
        ("-inf", "−∞"),
        ("nan", "NaN"),
        (True, "True"),
    ],
)
def test_format_number(number: Any, text: str) -> None:
    assert format_number(number) == text


def test_format_value_of_tensors() -> None:
    assert format_value({"value": [[1.0, 2.5], [3.0, 4.0]], "shape": [2, 2]}) == (
        "[[1, 2.5],\n [3, 4]]"
    )
    truncated = {"value": [0.5, 1.5], "shape": [2000], "truncated": True, "min": 0, "max": 9.0}
    assert format_value(truncated) == "[0.5, 1.5, …]\nmin 0, max 9"
    assert format_value({"value": None, "shape": None}) == "None"
    assert format_value({"value": "text", "shape": None}) == "'text'"


def test_format_value_of_a_cut_plain_value_keeps_its_own_brackets() -> None:
    # A plain value says "..." where it is cut; a dict is not closed with "]".
    assert format_value({"value": [0, 1, "..."], "shape": None, "truncated": True}) == (
        "[0, 1, ...]"
    )
    cut_dict = {"value": {"0": 0, "...": "..."}, "shape": None, "truncated": True}
    assert format_value(cut_dict).endswith("}")
