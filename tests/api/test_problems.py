"""One error shape everywhere: this test walks every error path of the HTTP API."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, start_server, stop_server

SPIN = "for i in range(10**9):\n    i = i + 1"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    document: dict[str, Any] = response.json()
    assert document["status"] == status
    assert document["code"] == code
    assert document["type"] == f"/problems/{code}"
    assert isinstance(document["title"], str) and document["title"]
    assert isinstance(document["detail"], str) and document["detail"]
    assert document["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text and "/work/" not in response.text
    return document


SOURCE_ERRORS = [
    ("x +", 400, "syntax_error"),
    ("y = 1\nimport os", 400, "not_allowed"),
    ("().__class__", 400, "not_allowed"),
    ("torch.ones(2) @ torch.ones(3)", 400, "runtime_error"),
    ("2**(2**40)", 422, "limit_exceeded"),
    ("torch.ones(10**10)", 422, "limit_exceeded"),
    ("x" * 20_001, 422, "limit_exceeded"),
]


@pytest.mark.parametrize(("source", "status", "code"), SOURCE_ERRORS)
def test_source_errors_post(live_server: LiveServer, source: str, status: int, code: str) -> None:
    with live_server.client() as http:
        response = http.post("/api/v1/evaluate", json={"source": source})
    document = assert_problem(response, status, code)
    if code != "limit_exceeded" or source.startswith("2**"):
        assert document["line"] >= 1 and document["column"] >= 1


@pytest.mark.parametrize(("source", "status", "code"), SOURCE_ERRORS[:5])
def test_source_errors_image(live_server: LiveServer, source: str, status: int, code: str) -> None:
    with live_server.client() as http:
        response = http.get("/api/v1/graph.svg", params={"source": source})
    assert_problem(response, status, code)


def test_the_position_points_at_the_offence(live_server: LiveServer) -> None:
    with live_server.client() as http:
        response = http.post("/api/v1/evaluate", json={"source": "x = 1\ny = x.__class__"})
    document = assert_problem(response, 400, "not_allowed")
    # the attribute itself: `y = x.__class__` -> column 7 is the `_` after the dot
    assert (document["line"], document["column"]) == (2, 7)
    assert "__class__" in document["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"source": 3},
        {"source": "x", "inputs": {"x": "five"}},
        {"source": "x", "inputs": {"__x": 1}},
        {"source": "x", "options": {"rankdir": "XY"}},
        {"source": "x", "unknown": 1},
        {"source": "x", "output": "not a name"},
    ],
)
def test_malformed_bodies(live_server: LiveServer, body: dict[str, Any]) -> None:
    with live_server.client() as http:
        assert_problem(http.post("/api/v1/evaluate", json=body), 422, "invalid_request")


@pytest.mark.parametrize("inputs", [{"x": True}, {"x": [1.5, [2.0, False]]}])
def test_true_and_false_are_not_numbers(live_server: LiveServer, inputs: dict[str, Any]) -> None:
    # pydantic would read them as 1 and 0; the optimize requests refuse them too.
    with live_server.client() as http:
        response = http.post("/api/v1/evaluate", json={"source": "3*x", "inputs": inputs})
        document = assert_problem(response, 422, "invalid_request")
        assert (
            "inputs.x" in document["detail"]
            and "true and false are not numbers" in document["detail"]
        )
        response = http.get("/api/v1/graph.svg", params={"source": "3*x", "x": "[1, true]"})
        assert_problem(response, 422, "invalid_request")


def test_broken_json(live_server: LiveServer) -> None:
    with live_server.client() as http:
        response = http.post(
            "/api/v1/evaluate", content=b'{"source": ', headers={"content-type": "application/json"}
        )
    assert "not valid JSON" in assert_problem(response, 422, "invalid_request")["detail"]


NESTED = b"[" * 1100 + b"]" * 1100


@pytest.mark.parametrize(
    ("path", "body", "says"),
    [
        ("/api/v1/evaluate", NESTED, "nest too deeply"),
        ("/api/v1/evaluate", b'{"source": "1", "inputs": {"x": %s}}' % NESTED[100:-100], "nest"),
        ("/api/v1/optimize", NESTED, "nest too deeply"),
        ("/api/v1/optimize", b'{"source": "x", "variable": "x", "lr": %s}' % NESTED, "nest"),
        ("/api/v1/evaluate", b'{"source": "\xff"}', "not UTF-8"),
        ("/api/v1/optimize", b'{"source": "\xff"}', "not UTF-8"),
    ],
    ids=["evaluate-nested", "evaluate-nested-input", "optimize-nested", "optimize-nested-lr"]
    + ["evaluate-not-utf8", "optimize-not-utf8"],
)
def test_bodies_json_cannot_read_are_malformed(
    live_server: LiveServer, path: str, body: bytes, says: str
) -> None:
    """The same 422 as any other malformed JSON: not a 500 (json.loads's
    RecursionError), not FastAPI's bare 400 "error parsing the body". (An input
    nested 1,000 deep may parse, by a few stack frames: then it is too deep
    for an input, and says so.)"""
    with live_server.client() as http:
        response = http.post(path, content=body, headers={"content-type": "application/json"})
    assert says in assert_problem(response, 422, "invalid_request")["detail"]


def test_bad_query_parameters(live_server: LiveServer) -> None:
    with live_server.client() as http:
        assert_problem(http.get("/api/v1/graph.svg"), 422, "invalid_request")
        response = http.get("/api/v1/graph.svg", params={"source": "x", "rankdir": "XY"})
        assert_problem(response, 422, "invalid_request")
        response = http.get("/api/v1/graph.svg", params={"source": "x", "x": "abc"})
        assert_problem(response, 422, "invalid_request")
        assert_problem(
            http.get("/api/v1/graph.gif", params={"source": "x"}), 422, "invalid_request"
        )


def test_not_found_and_method_not_allowed(live_server: LiveServer) -> None:
    with live_server.client() as http:
        assert_problem(http.get("/api/v1/nothing"), 404, "not_found")
        assert_problem(http.put("/api/v1/evaluate", json={}), 405, "method_not_allowed")
        assert_problem(http.get("/api/v1/evaluate"), 405, "method_not_allowed")
        assert_problem(http.post("/healthz", json={}), 405, "method_not_allowed")


def test_browsers_get_an_html_error_page(live_server: LiveServer) -> None:
    with live_server.client() as http:
        response = http.get("/no/such/page", headers={"accept": "text/html,*/*"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "404" in response.text or "Not found" in response.text


def test_hygiene_limits(live_server: LiveServer) -> None:
    with live_server.client() as http:
        big = http.post("/api/v1/evaluate", json={"source": "x" * 300_000})
        assert_problem(big, 413, "limit_exceeded")
        long_query = http.get("/api/v1/graph.svg", params={"source": "x" * 61_000})
        assert_problem(long_query, 414, "limit_exceeded")
        text = http.post(
            "/api/v1/evaluate", content=b"source=x", headers={"content-type": "text/plain"}
        )
        assert_problem(text, 415, "unsupported_media_type")


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {
        "AUTOGRAD_VIZ_RATE_LIMIT_PER_MINUTE": "5",
        "AUTOGRAD_VIZ_POOL_SIZE": "1",
        "AUTOGRAD_VIZ_QUEUE_SIZE": "0",
        "AUTOGRAD_VIZ_STEPS": str(10**12),
        "AUTOGRAD_VIZ_WALL_TIME_S": "2",
    }
    server = start_server(tmp_path_factory.mktemp("limited"), env, name="limited")
    yield server
    stop_server(server)


def test_busy_pool_is_503_with_retry_after_and_rate_limit_is_429(
    limited_server: LiveServer,
) -> None:
    def spin() -> None:
        with limited_server.client() as http:
            http.post("/api/v1/evaluate", json={"source": SPIN})

    spinner = threading.Thread(target=spin)
    spinner.start()
    with limited_server.client() as http:
        deadline = time.monotonic() + 5
        while http.get("/healthz").json()["pool"]["busy"] == 0:  # healthz is not rate-limited
            assert time.monotonic() < deadline
            time.sleep(0.02)
        busy = http.post("/api/v1/evaluate", json={"source": "1 + 1"})
        assert_problem(busy, 503, "unavailable")
        assert int(busy.headers["retry-after"]) >= 1
        spinner.join()
        statuses = [http.get("/api/v1/examples").status_code for _ in range(6)]
        assert 429 in statuses
        limited = http.get("/api/v1/examples")
        assert_problem(limited, 429, "rate_limited")
        assert int(limited.headers["retry-after"]) >= 1


def test_every_problem_type_is_a_readable_url(live_server: LiveServer) -> None:
    from app.api.problems import CODES

    with live_server.client() as http:
        for code, (title, _) in CODES.items():
            response = http.get(f"/problems/{code}")
            assert response.status_code == 200
            assert response.json()["code"] == code and response.json()["title"] == title
        error = http.post("/api/v1/evaluate", json={"source": "x +"}).json()
        assert http.get(error["type"]).json()["code"] == "syntax_error"
        assert_problem(http.get("/problems/no_such_code"), 404, "not_found")


def test_a_name_that_is_not_an_identifier_is_explained_in_words(live_server: LiveServer) -> None:
    # Found in the page: the problem showed pydantic's regular expression.
    with live_server.client() as http:
        posted = http.post("/api/v1/evaluate", json={"source": "x = 1", "output": "1a"})
        image = http.get("/api/v1/graph.svg", params={"source": "x = 1", "output": "1a"})
    for answer in (posted, image):
        assert answer.status_code == 422, answer.text
        detail = answer.json()["detail"]
        assert "output: must be a name: a letter, then up to 63 letters" in detail, detail
        assert "^[A-Za-z]" not in detail
