"""GET /api/v1/graph.*: formats, content-addressed caching, CORS, headers."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from tests.conftest import LiveServer, start_server, stop_server

PARAMS = {"source": "3*sin(x) + x + 3", "x": "5"}
FIGURE = {"source": "x = torch.linspace(0, 3, 20)\nplt.plot(x, x**2, 'o-')", "n": "0"}


def test_formats(live_server: LiveServer) -> None:
    with live_server.client() as http:
        svg = http.get("/api/v1/graph.svg", params=PARAMS)
        png = http.get("/api/v1/graph.png", params=PARAMS)
        dot = http.get("/api/v1/graph.dot", params=PARAMS)
        model = http.get("/api/v1/graph.json", params=PARAMS)
    assert svg.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(svg.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert dot.headers["content-type"].startswith("text/vnd.graphviz")
    assert dot.text.lstrip().startswith(("digraph", "strict digraph"))
    labels = {node["label"] for node in model.json()["nodes"]}
    assert {"SinBackward0", "MulBackward0", "AddBackward0", "AccumulateGrad"} <= labels


def test_etag_cache_control_and_304(live_server: LiveServer) -> None:
    with live_server.client() as http:
        first = http.get("/api/v1/graph.svg", params=PARAMS)
        etag = first.headers["etag"]
        assert etag.startswith('"') and not etag.startswith("W/")
        assert "max-age=" in first.headers["cache-control"]
        assert "public" in first.headers["cache-control"]
        again = http.get("/api/v1/graph.svg", params=PARAMS)
        assert again.content == first.content and again.headers["etag"] == etag
        revalidated = http.get("/api/v1/graph.svg", params=PARAMS, headers={"if-none-match": etag})
        assert revalidated.status_code == 304 and revalidated.content == b""
        assert revalidated.headers["etag"] == etag
        listed = http.get(
            "/api/v1/graph.svg", params=PARAMS, headers={"if-none-match": f'"other", {etag}'}
        )
        assert listed.status_code == 304
        stale = http.get("/api/v1/graph.svg", params=PARAMS, headers={"if-none-match": '"old"'})
        assert stale.status_code == 200
        other = http.get("/api/v1/graph.svg", params={**PARAMS, "x": "6"})
        assert other.headers["etag"] != etag
        png = http.get("/api/v1/graph.png", params=PARAMS)
        assert png.headers["etag"] != etag


def test_if_none_match_compares_weakly(live_server: LiveServer) -> None:
    """RFC 9110 13.1.2: If-None-Match matches a weak tag, any tag of a list, and `*`."""
    with live_server.client() as http:
        etag = http.get("/api/v1/graph.svg", params=PARAMS).headers["etag"]
        for header in (
            f"W/{etag}",
            f'"a", W/{etag}',
            f'W/"a",{etag}',
            f'"a,b" ,  W/{etag}',  # a comma inside a tag
            "*",
        ):
            response = http.get(
                "/api/v1/graph.svg", params=PARAMS, headers={"if-none-match": header}
            )
            assert response.status_code == 304, header
            assert response.headers["etag"] == etag
        for header in ('"a", W/"b"', f'W/{etag[:-2]}"', etag[1:-1], f'"{etag}"'):
            response = http.get(
                "/api/v1/graph.svg", params=PARAMS, headers={"if-none-match": header}
            )
            assert response.status_code == 200, header


@pytest.mark.parametrize(
    ("path", "good"),
    [
        ("/api/v1/graph.svg", {"source": "x**2 + 1 # never asked before", "x": "2"}),
        ("/api/v1/optimize.svg", {"source": "x**2 + 1 # never asked before", "init": "1"}),
        ("/api/v1/plot.svg", {"source": "x**2 + 1 # never asked before", "variable": "x"}),
        ("/api/v1/figure.svg", {"source": "plt.plot([1, 2]) # never asked before", "n": "0"}),
    ],
)
def test_if_none_match_star_matches_only_an_answer_that_exists(
    live_server: LiveServer, path: str, good: dict[str, str]
) -> None:
    """RFC 9110 13.1.2, 13.2.1: `*` is for a current representation; a program
    that fails has none, so its problem is answered (found by probing: a 304)."""
    star = {"if-none-match": "*"}
    with live_server.client() as http:
        for source in ("(", "open('x')"):
            response = http.get(path, params={"source": source}, headers=star)
            assert response.status_code in (400, 422), (source, response.status_code)
            assert response.headers["content-type"] == "application/problem+json"
        fresh = http.get(path, params=good, headers=star)
        assert fresh.status_code == 304 and fresh.content == b"", fresh.text[:200]
        assert fresh.headers["etag"] == http.get(path, params=good).headers["etag"]


IMAGES = [
    ("/api/v1/graph.svg", PARAMS),
    ("/api/v1/graph.png", PARAMS),
    ("/api/v1/graph.dot", PARAMS),
    ("/api/v1/graph.json", PARAMS),
    ("/api/v1/optimize.svg", {"source": "x**2 - 2*x", "variable": "x", "steps": "5"}),
    ("/api/v1/plot.svg", {"source": "x**2 - 2*x", "variable": "x"}),
    ("/api/v1/figure.svg", FIGURE),
    ("/api/v1/figure.png", FIGURE),
]


@pytest.mark.parametrize(("path", "params"), IMAGES, ids=[path for path, _ in IMAGES])
def test_head_answers_as_get_without_the_body(
    live_server: LiveServer, path: str, params: dict[str, str]
) -> None:
    same = ("etag", "cache-control", "content-type", "content-length", "content-security-policy")
    with live_server.client() as http:
        for fresh in (True, False):  # computed by the route, then from the answer cache
            query = {**params, "theme": "dark"} if fresh else params
            head = http.head(path, params=query)
            get = http.get(path, params=query)
            assert head.status_code == get.status_code == 200
            assert head.content == b"" and len(get.content) > 0
            for name in same:
                assert head.headers[name] == get.headers[name], name
            assert int(head.headers["content-length"]) == len(get.content)
        revalidated = http.head(path, params=params, headers={"if-none-match": get.headers["etag"]})
        assert revalidated.status_code == 304 and revalidated.content == b""
        # A refusal too: its status and headers, no body.
        refused = http.head(path, params={"source": "x +", **({"n": "0"} if "n" in params else {})})
        assert refused.status_code == 400 and refused.content == b""
        assert refused.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/embed?source=x*2&x=1",
        "/healthz",
        "/metrics",
        "/docs",
        "/openapi.json",
        "/api/v1/examples",
        "/problems/syntax_error",
        "/static/app.js",
        "/no/such/page",
    ],
)
def test_head_answers_as_get_on_every_url(live_server: LiveServer, path: str) -> None:
    """RFC 9110 9.1: GET and HEAD on every URL (found by probing: pages and
    the API's other GETs answered HEAD with 405)."""
    with live_server.client() as http:
        get = http.get(path)
        head = http.head(path)
    assert head.status_code == get.status_code and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    # /metrics' counters move between the two requests; `/` carries a fresh
    # CSP nonce, which gzips to a length of its own.
    if path not in ("/metrics", "/"):
        # The length GET sends: of the gzipped body where the file is compressed.
        assert head.headers["content-length"] == get.headers["content-length"]
        assert head.headers.get("content-encoding") == get.headers.get("content-encoding")
    with live_server.client() as http:
        post_only = http.head("/api/v1/evaluate")
    assert post_only.status_code == 405 and post_only.headers["allow"] == "POST"


def test_svg_answers_cannot_run_script(live_server: LiveServer) -> None:
    with live_server.client() as http:
        response = http.get("/api/v1/graph.svg", params=PARAMS)
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script-src" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors *" in csp


def test_cors(live_server: LiveServer) -> None:
    origin = {"origin": "https://course.example.edu"}
    with live_server.client() as http:
        get = http.get("/api/v1/graph.svg", params=PARAMS, headers=origin)
        assert get.headers["access-control-allow-origin"] == "*"
        assert "etag" in get.headers["access-control-expose-headers"].lower()
        preflight = http.options(
            "/api/v1/evaluate",
            headers={
                **origin,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "*"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in preflight.headers
        post = http.post("/api/v1/evaluate", json={"source": "1 + 1"}, headers=origin)
        assert post.headers["access-control-allow-origin"] == "*"


def test_every_4xx_is_a_problem_even_from_starlettes_parts(live_server: LiveServer) -> None:
    """Found by probing: a refused preflight (Starlette's CORS) was a text/plain
    400, a malformed Range on /static (Starlette's StaticFiles) a text/plain
    400 or 416, and a gzipped body a 422 about UTF-8 instead of a 415."""
    problem = "application/problem+json"
    with live_server.client() as http:
        for asked in (
            {"access-control-request-method": "PUT"},
            {"access-control-request-method": "POST", "access-control-request-headers": "x-custom"},
        ):
            refused = http.options(
                "/api/v1/evaluate", headers={"origin": "https://a.example", **asked}
            )
            assert refused.status_code == 400 and refused.headers["content-type"] == problem
            assert refused.json()["code"] == "invalid_request"
            assert "POST" in refused.json()["detail"]
            assert refused.headers["access-control-allow-origin"] == "*"
        whole = http.get("/static/app.js")
        for ranged in ("bytes=abc", "bytes=5-1", "bytes=999999999-", "bytes=0-10"):
            answer = http.get("/static/app.js", headers={"range": ranged})
            assert answer.status_code == 200 and answer.content == whole.content, ranged
        assert "accept-ranges" not in whole.headers
        for route, body in (
            ("/api/v1/evaluate", {"source": "1 + 1"}),
            ("/api/v1/optimize", {"source": "x**2", "init": 1}),
        ):
            gzipped = http.post(
                route,
                content=gzip.compress(json.dumps(body).encode()),
                headers={"content-type": "application/json", "content-encoding": "gzip"},
            )
            assert gzipped.status_code == 415 and gzipped.headers["content-type"] == problem
            assert gzipped.headers["accept-encoding"] == "identity"
            plain = http.post(route, json=body, headers={"content-encoding": "identity"})
            assert plain.status_code == 200, plain.text[:200]
        html = http.get("/no/such/page", headers={"accept": "text/html;q=0, */*"})
        assert html.status_code == 404 and html.headers["content-type"] == problem


def test_json_answer_and_graph_json_agree(live_server: LiveServer) -> None:
    with live_server.client() as http:
        answer = http.post(
            "/api/v1/evaluate", json={"source": PARAMS["source"], "inputs": {"x": 5}}
        ).json()
        model = http.get("/api/v1/graph.json", params=PARAMS).json()
    assert answer["graph"] == model
    assert answer["key"] and json.dumps(answer, allow_nan=False)


@pytest.fixture(scope="module")
def second_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("second"), name="second")
    yield server
    stop_server(server)


@pytest.mark.parametrize("fmt", ["svg", "png", "dot", "json"])
def test_same_request_same_bytes_across_servers(
    live_server: LiveServer, second_server: LiveServer, fmt: str
) -> None:
    params = {
        "source": "w = torch.tensor([1., 2.], requires_grad=True)\nfor i in range(2):\n"
        "    w = w * w + 1\ny = w.sum()",
        "rankdir": "LR",
    }
    with live_server.client() as one, second_server.client() as two:
        a = one.get(f"/api/v1/graph.{fmt}", params=params)
        b = two.get(f"/api/v1/graph.{fmt}", params=params)
    assert a.status_code == b.status_code == 200
    assert a.content == b.content
    assert a.headers["etag"] == b.headers["etag"]
