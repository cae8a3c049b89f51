"""GET /api/v1/figure.{svg,png} and the `figures` of POST /api/v1/evaluate.

The image rules of graph.* (ETag, 304, HEAD, CORS, the image CSP) are
tested for figure.* with the other image endpoints in test_graph_http.py;
here: what a figure URL answers, its problems, and its bytes across servers.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from typing import Any

import pytest

from app.optimize.svgcheck import check_svg
from tests.api.test_real_code_figures import CELLS
from tests.conftest import LiveServer, start_server, stop_server

SOURCE = """import matplotlib.pyplot as plt
theta = torch.linspace(-5, 5, 100)
y = theta*torch.cos(4*theta) + 2*torch.abs(theta)
plt.figure(figsize=(12, 4))
plt.plot(theta, y, label='objective')
plt.plot([0.5, 0.5], plt.ylim(), label='a line')
plt.legend()
plt.title('The objective')
plt.figure()
plt.hist(y, bins=20)
"""
PROBLEM = "application/problem+json"
# The notebook's cell 13 verbatim: three lines, the steps' markers and a legend.
CELL_13 = next(c["source"] for c in CELLS if c["id"] == "verbatim-cell13-gradient-descent")


def test_the_answer_holds_every_figure_and_each_url_serves_one(client: Any) -> None:
    answer = client.post("/api/v1/evaluate", json={"source": SOURCE})
    assert answer.status_code == 200, answer.text[:300]
    figures = answer.json()["figures"]
    assert [f["title"] for f in figures] == ["The objective", "Figure 2"]
    for n, figure in enumerate(figures):
        check_svg(figure["svg"])
        alone = client.get("/api/v1/figure.svg", params={"source": SOURCE, "n": n})
        assert alone.status_code == 200
        assert alone.headers["content-type"] == "image/svg+xml"
        assert alone.content == figure["svg"].encode()
    png = client.get("/api/v1/figure.png", params={"source": SOURCE, "n": 0})
    assert png.headers["content-type"] == "image/png"
    assert struct.unpack(">II", png.content[16:24]) == (1200, 400)


def test_a_program_without_figures_answers_none(client: Any) -> None:
    answer = client.post("/api/v1/evaluate", json={"source": "x = torch.ones(2)\ny = x.sum()"})
    assert answer.json()["figures"] == []


@pytest.mark.parametrize(
    ("params", "status", "code", "words"),
    [
        ({"source": SOURCE}, 422, "invalid_request", "'n'"),
        ({"source": SOURCE, "n": "2"}, 422, "invalid_request", "draws 2 figures"),
        ({"source": "y = 1", "n": "0"}, 422, "invalid_request", "draws no figure"),
        ({"source": SOURCE, "n": "first"}, 422, "invalid_request", "n must be"),
        ({"source": SOURCE, "n": "-1"}, 422, "invalid_request", "n must be"),
        ({"source": "plt.plot([1, 2]", "n": "0"}, 400, "syntax_error", ""),
        ({"source": "plt.savefig('x.png')", "n": "0"}, 400, "not_allowed", "savefig"),
        ({"source": "plt.title('A' * 5000)", "n": "0"}, 422, "limit_exceeded", "500"),
        ({"source": "plt.plot([1e308, -1e308])", "n": "0"}, 422, "render_error", "cannot draw"),
    ],
)
def test_problems(client: Any, params: dict[str, str], status: int, code: str, words: str) -> None:
    for fmt in ("svg", "png"):
        response = client.get(f"/api/v1/figure.{fmt}", params=params)
        assert response.status_code == status, response.text[:300]
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == code
        assert words in response.json()["detail"]


def test_n_is_not_an_input_and_inputs_still_bind(client: Any) -> None:
    params = {"source": "plt.plot([0, k.item()])\nplt.title('k')", "n": "0", "k": "3"}
    response = client.get("/api/v1/figure.svg", params=params)
    assert response.status_code == 200, response.text[:300]
    other = client.get("/api/v1/figure.svg", params={**params, "k": "4"})
    assert other.content != response.content
    assert other.headers["etag"] != response.headers["etag"]


def test_the_dark_theme(client: Any) -> None:
    params = {"source": SOURCE, "n": "0"}
    light = client.get("/api/v1/figure.svg", params=params)
    dark = client.get("/api/v1/figure.svg", params={**params, "theme": "dark"})
    assert b"#0d1117" in dark.content and b"#0d1117" not in light.content
    answer = client.post(
        "/api/v1/evaluate", json={"source": SOURCE, "options": {"theme": "dark"}}
    ).json()
    assert answer["figures"][0]["svg"].encode() == dark.content


def test_a_repeated_figure_url_is_answered_from_the_cache(client: Any) -> None:
    params = {"source": "plt.plot([1, 3, 2])  # cached figure", "n": "0"}
    first = client.get("/api/v1/figure.svg", params=params)
    again = client.get("/api/v1/figure.svg", params=params)
    assert again.content == first.content
    for name in ("etag", "cache-control", "content-type", "content-security-policy"):
        assert again.headers[name] == first.headers[name], name
    revalidated = client.get(
        "/api/v1/figure.svg", params=params, headers={"if-none-match": first.headers["etag"]}
    )
    assert revalidated.status_code == 304
    assert client.app.state.service.cached("figure", first.headers["etag"][1:65]) is not None


@pytest.fixture(scope="module")
def two_servers(
    live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, LiveServer]]:
    other = start_server(tmp_path_factory.mktemp("figures"), name="figures")
    yield live_server, other
    stop_server(other)


@pytest.mark.parametrize("fmt", ["svg", "png"])
@pytest.mark.parametrize("source", [SOURCE, CELL_13], ids=["objective", "cell13"])
def test_same_program_same_bytes_across_servers(
    two_servers: tuple[LiveServer, LiveServer], fmt: str, source: str
) -> None:
    one, two = two_servers
    params = {"source": source, "n": "0"}
    with one.client() as a, two.client() as b:
        first = a.get(f"/api/v1/figure.{fmt}", params=params)
        second = b.get(f"/api/v1/figure.{fmt}", params=params)
        answers = [http.post("/api/v1/evaluate", json={"source": source}).json() for http in (a, b)]
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first.headers["etag"] == second.headers["etag"]
    assert answers[0]["figures"] == answers[1]["figures"]


def test_the_docs_example_is_a_figure(client: Any) -> None:
    """docs/embedding.md's <img> of a figure answers one."""
    from tests.conftest import ROOT

    doc = (ROOT / "docs" / "embedding.md").read_text()
    found = re.search(r'<img src="https://viz\.example\.edu(/api/v1/figure\.svg\?[^"]+)"', doc)
    assert found
    response = client.get(found.group(1))
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
