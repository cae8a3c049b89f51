"""Every answer of a real server carries the security headers: a
Content-Security-Policy that allows no inline script, frame-ancestors * (and file:) only
where embedding is the point (/embed and the images), nosniff and a
Referrer-Policy; pages, API, images, static files, docs and error pages alike.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
PROGRAM = {"source": "3*sin(x) + x + 3", "x": "5"}
OBJECTIVE = {"source": "x**2 - 2*x", "variable": "x"}
FIGURE = {"source": "plt.plot([1, 3, 2])", "n": "0"}

# (method, path, query, extra request headers, body as JSON)
Case = tuple[str, str, dict[str, str] | None, dict[str, str] | None, Any]

NOT_FRAMED: list[Case] = [
    ("GET", "/", None, None, None),
    ("GET", "/", {"source": "x +", "x": "1"}, None, None),  # the page shows the error
    ("GET", "/docs", None, None, None),
    ("GET", "/openapi.json", None, None, None),
    ("GET", "/healthz", None, None, None),
    ("GET", "/metrics", None, None, None),
    ("GET", "/api/v1/examples", None, None, None),
    ("POST", "/api/v1/evaluate", None, None, {"source": "3*sin(x)", "inputs": {"x": 1}}),
    ("POST", "/api/v1/evaluate", None, None, {"source": "x +"}),
    ("PUT", "/api/v1/evaluate", None, None, {}),
    ("POST", "/api/v1/optimize", None, None, {"source": "x**2", "variable": "x"}),
    ("GET", "/api/v1/nothing", None, None, None),
    ("GET", "/no/such/page", None, HTML, None),  # the HTML error page
    ("GET", "/no/such/page", None, None, None),
    ("GET", "/problems/syntax_error", None, HTML, None),
    ("GET", "/static/app.css", None, None, None),
    ("GET", "/static/app.js", None, None, None),
    ("GET", "/static/favicon.svg", None, None, None),
    ("GET", "/static/vendor/codemirror-6.0.2.bundle.min.js", None, None, None),
    ("GET", "/static/no-such-file.js", None, None, None),
    ("GET", "/embed/", None, None, None),  # not /embed: a redirect, not framed
]
FRAMED: list[Case] = [
    ("GET", "/embed", PROGRAM, None, None),
    ("GET", "/embed", {"source": "x +"}, None, None),  # the embed's error page
    ("GET", "/api/v1/graph.svg", PROGRAM, None, None),
    ("GET", "/api/v1/graph.png", PROGRAM, None, None),
    ("GET", "/api/v1/graph.dot", PROGRAM, None, None),
    ("GET", "/api/v1/graph.json", PROGRAM, None, None),
    ("GET", "/api/v1/graph.svg", {"source": "x +"}, None, None),  # a problem, still an image URL
    ("GET", "/api/v1/optimize.svg", OBJECTIVE, None, None),
    ("GET", "/api/v1/plot.svg", OBJECTIVE, None, None),
    ("GET", "/api/v1/figure.svg", FIGURE, None, None),
    ("GET", "/api/v1/figure.png", FIGURE, None, None),
    ("GET", "/api/v1/figure.svg", {"source": "plt.plot(["}, None, None),  # no n, broken
]


def directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            assert words[0] not in parsed, f"{words[0]} given twice in {policy!r}"
            parsed[words[0]] = words[1:]
    return parsed


def fetch(http: httpx.Client, case: Case) -> httpx.Response:
    method, path, params, headers, body = case
    return http.request(
        method, path, params=params, headers=headers, json=body, follow_redirects=False
    )


def check(response: httpx.Response, ancestors: str) -> None:
    policies = response.headers.get_list("content-security-policy")
    assert len(policies) == 1, policies
    policy = directives(policies[0])
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts is not None, policies[0]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, policies[0]
    assert policy.get("frame-ancestors") == ancestors.split(), policies[0]
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]
    referrer = response.headers.get_list("referrer-policy")
    assert referrer in (["strict-origin-when-cross-origin"], ["no-referrer"]), referrer


@pytest.mark.parametrize("case", NOT_FRAMED, ids=lambda c: f"{c[0]} {c[1]}")
def test_pages_and_api_cannot_be_framed(live_server: LiveServer, case: Case) -> None:
    with live_server.client() as http:
        check(fetch(http, case), "'none'")


@pytest.mark.parametrize("case", FRAMED, ids=lambda c: f"{c[0]} {c[1]}")
def test_embeds_and_images_can_be_framed_anywhere(live_server: LiveServer, case: Case) -> None:
    with live_server.client() as http:
        response = fetch(http, case)
        check(response, "* file:")
        if response.status_code == 200 and "etag" in response.headers:
            again = http.get(
                case[1], params=case[2], headers={"if-none-match": response.headers["etag"]}
            )
            assert again.status_code == 304
            check(again, "* file:")


def test_the_cases_cover_every_route(live_server: LiveServer) -> None:
    """A new route must be added to one of the lists above."""
    with live_server.client() as http:
        spec = http.get("/openapi.json").json()
    covered = {path for _, path, *_ in NOT_FRAMED + FRAMED}
    for path in spec["paths"]:
        concrete = path.replace("{fmt}", "svg").replace("{code}", "syntax_error")
        assert concrete in covered, path
