"""The requests of the reliability tests, each with the check of its answer.

Benign requests have an answer the test knows: the seed lessons (what real
PyTorch gives, tests/api/answers.py), their images (revalidated with
If-None-Match, as a course page's <img> is), and random expressions whose
value and gradients the test computes itself with real torch. Hostile
requests must each get a 4xx problem document: the hostile corpus
(tests/evaluate/hostile.py), programs that spin past the wall time or
allocate past the memory limit, and malformed or oversized HTTP.

A check raises AssertionError with what was wrong; it never mutates state
other than the client's ETag memory.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import torch

from tests.api.answers import check_lesson_answer
from tests.conftest import lessons
from tests.evaluate.hostile import CORPUS
from tests.evaluate.hostile_amplification import ANSWERED, HEAVY_PAGES, LEAK
from tests.reliability.wire import Connection

LESSONS = lessons()
JSON = {"content-type": "application/json"}
PROBLEM = "application/problem+json"
USER_CODES = {
    "syntax_error",
    "not_allowed",
    "runtime_error",
    "limit_exceeded",
    "invalid_request",
    "unsupported_media_type",
}

HOSTILE_PROGRAMS = list(CORPUS)

# Past the 3 s wall time with the default limits: each step is cheap to
# interpret (so the step limit is far away) but costs torch a millisecond.
SPIN = "x = torch.rand(1000000)\nfor i in range(100000):\n    y = x.max() + {n}"
# Past a memory limit of 128 MiB (the load test's) within the element limits:
# 19 float64 tensors of a million elements are 152 MB.
MEMORY_BOMB = (
    "l = []\nfor i in range(19):\n"
    "    l.append(torch.ones(1000000, dtype=torch.float64) + {n})\nlen(l)"
)


@dataclass(frozen=True)
class Probe:
    """One request and the check of its answer."""

    category: str
    benign: bool
    method: str
    path: str
    check: Callable[[httpx.Response], None]
    params: list[tuple[str, str]] | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False  # send the body without Content-Length

    async def send(self, connection: Connection) -> httpx.Response:
        return await connection.request(
            self.method,
            self.path,
            params=self.params,
            headers=self.headers,
            body=self.body,
            chunked=self.chunked,
        )


def encode(document: dict[str, Any]) -> bytes:
    # ensure_ascii: lone surrogates of the hostile corpus travel as \ud800 escapes.
    return json.dumps(document).encode()


# -- benign -----------------------------------------------------------------------------------


def lesson_body(lesson: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"source": lesson["source"], "inputs": lesson.get("inputs", {})}
    if lesson.get("output"):
        body["output"] = lesson["output"]
    return body


def lesson_probe(lesson: dict[str, Any]) -> Probe:
    def check(response: httpx.Response) -> None:
        assert response.status_code == 200, response.text[:300]
        check_lesson_answer(response.json(), lesson)

    return Probe(
        f"lesson:{lesson['id']}",
        True,
        "POST",
        "/api/v1/evaluate",
        check,
        body=encode(lesson_body(lesson)),
        headers=JSON,
    )


def lesson_image_probe(lesson: dict[str, Any], etags: dict[str, str]) -> Probe:
    """GET graph.svg as an <img> does: 200 the first time, then 304 on If-None-Match."""
    params = [("source", lesson["source"])]
    if lesson.get("output"):
        params.append(("output", lesson["output"]))
    params += [(name, json.dumps(value)) for name, value in lesson.get("inputs", {}).items()]
    key = lesson["id"]
    known = etags.get(key)
    labels = set(lesson["expect"].get("op_labels", {}))

    def check(response: httpx.Response) -> None:
        if known is not None:
            assert response.status_code == 304, response.text[:300]
            assert response.headers["etag"] == known
            return
        assert response.status_code == 200, response.text[:300]
        assert response.headers["content-type"] == "image/svg+xml"
        assert response.content.startswith(b"<svg"), response.content[:100]
        for label in labels:
            assert label.encode() in response.content, label
        etags[key] = response.headers["etag"]

    headers = {"if-none-match": known} if known else {}
    return Probe("image", True, "GET", "/api/v1/graph.svg", check, params=params, headers=headers)


@dataclass(frozen=True)
class Expression:
    source: str
    compute: Callable[[dict[str, torch.Tensor]], torch.Tensor]
    names: frozenset[str]


_UNARY: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sin": torch.sin,
    "cos": torch.cos,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "exp": lambda t: torch.exp(t),
}
_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
}


def random_expression(rng: random.Random, depth: int = 3) -> Expression:
    """An expression over the vector x and the scalar y; unary functions only
    ever apply to a subtree with a variable in it (so always to a tensor)."""
    if depth == 0 or rng.random() < 0.25:
        if rng.random() < 0.6:
            name = rng.choice(["x", "y"])
            return Expression(name, lambda env: env[name], frozenset({name}))
        value = round(rng.uniform(-2, 2), 3)
        return Expression(repr(value), lambda env: value, frozenset())  # type: ignore[arg-type,return-value]
    if rng.random() < 0.4:
        inner = random_expression(rng, depth - 1)
        if inner.names:
            name = rng.choice(sorted(_UNARY))
            fn = _UNARY[name]
            if name == "exp":  # bounded, so values stay comparable in float32
                return Expression(
                    f"exp(tanh({inner.source}))",
                    lambda env: fn(torch.tanh(inner.compute(env))),
                    inner.names,
                )
            return Expression(
                f"{name}({inner.source})", lambda env: fn(inner.compute(env)), inner.names
            )
    op = rng.choice(sorted(_BINARY))
    a, b = random_expression(rng, depth - 1), random_expression(rng, depth - 1)
    fn2 = _BINARY[op]
    return Expression(
        f"({a.source} {op} {b.source})",
        lambda env: fn2(a.compute(env), b.compute(env)),
        a.names | b.names,
    )


def close(got: Any, want: float) -> bool:
    return isinstance(got, int | float) and math.isclose(got, want, rel_tol=1e-4, abs_tol=1e-5)


def expression_probe(rng: random.Random) -> Probe:
    """`sum(E * w) + y` for a random E: both inputs always reach the output."""
    expression = random_expression(rng)
    if "x" not in expression.names:
        inner = expression
        expression = Expression(
            f"({inner.source} + x)", lambda env: inner.compute(env) + env["x"], inner.names | {"x"}
        )
    x = [round(rng.uniform(-2, 2), 4) for _ in range(3)]
    y = round(rng.uniform(-2, 2), 4)
    weight = round(rng.uniform(0.5, 1.5), 3)
    source = f"sum(({expression.source}) * {weight}) + y"
    env = {
        "x": torch.tensor(x, dtype=torch.float32, requires_grad=True),
        "y": torch.tensor(y, dtype=torch.float32, requires_grad=True),
    }
    result = torch.sum(torch.as_tensor(expression.compute(env)) * weight) + env["y"]
    grad_x, grad_y = torch.autograd.grad(result, [env["x"], env["y"]])
    want_value = result.item()
    want_x = grad_x.tolist()
    want_y = grad_y.item()

    def check(response: httpx.Response) -> None:
        assert response.status_code == 200, (source, response.text[:300])
        answer = response.json()
        assert close(answer["value"], want_value), (source, answer["value"], want_value)
        grads = answer["gradients"]
        got_x = grads["x"]["value"]
        assert len(got_x) == 3 and all(map(close, got_x, want_x)), (source, got_x, want_x)
        assert close(grads["y"]["value"], want_y), (source, grads["y"], want_y)

    body = {"source": source, "inputs": {"x": x, "y": y}}
    return Probe(
        "expression", True, "POST", "/api/v1/evaluate", check, body=encode(body), headers=JSON
    )


def program_probe(rng: random.Random) -> Probe:
    """A short program with random constants: a function with a default, a
    loop and a branch on a value, as a student writes them; checked against
    the same steps in real torch."""
    a, b = round(rng.uniform(0.5, 1.5), 3), round(rng.uniform(-1, 1), 3)
    n, threshold = rng.randint(1, 4), round(rng.uniform(-1, 1), 3)
    x0 = round(rng.uniform(-2, 2), 4)
    source = (
        "def f(t, k=2):\n"
        f"    return t * {a} + torch.sin(t) ** k\n"
        f"x = torch.tensor({x0}, requires_grad=True)\n"
        "y = x\n"
        f"for i in range({n}):\n"
        f"    if y.item() > {threshold}:\n"
        "        y = f(y)\n"
        "    else:\n"
        f"        y = y * {b} + i\n"
        "y\n"
    )
    x = torch.tensor(x0, requires_grad=True)
    y = x
    for i in range(n):
        y = y * a + torch.sin(y) ** 2 if y.item() > threshold else y * b + i
    (grad,) = torch.autograd.grad(y, [x], allow_unused=True)
    want_value, want_grad = y.item(), 0.0 if grad is None else grad.item()

    def check(response: httpx.Response) -> None:
        assert response.status_code == 200, (source, response.text[:300])
        answer = response.json()
        assert close(answer["value"], want_value), (source, answer["value"], want_value)
        got = answer["gradients"]["x"]
        assert close(got["value"] if got else 0.0, want_grad), (source, got, want_grad)

    body = {"source": source}
    return Probe(
        "program", True, "POST", "/api/v1/evaluate", check, body=encode(body), headers=JSON
    )


# -- hostile ----------------------------------------------------------------------------------


def problem_check(
    status: int | None = None, code: str | None = None, limit: str | None = None
) -> Callable[[httpx.Response], None]:
    """A 4xx problem document (with this status, code and limit, when given)."""

    def check(response: httpx.Response) -> None:
        assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
        if status is not None:
            assert response.status_code == status, (response.status_code, response.text[:300])
        assert response.headers["content-type"] == PROBLEM, response.headers["content-type"]
        document = response.json()
        assert document["code"] in USER_CODES, document
        if code is not None:
            assert document["code"] == code, (code, document)
        if limit is not None:
            assert document.get("limit") == limit, (limit, document)

    return check


def corpus_probe(rng: random.Random, marker: str) -> Probe:
    source, code = rng.choice(HOSTILE_PROGRAMS)
    source = source.replace("MARKER", marker)
    if rng.random() < 0.25 and _fits_a_url(source):
        return Probe(
            "corpus-image",
            False,
            "GET",
            "/api/v1/graph.svg",
            problem_check(code=code),
            params=[("source", source)],
        )
    body = encode({"source": source})
    return Probe(
        "corpus",
        False,
        "POST",
        "/api/v1/evaluate",
        problem_check(code=code),
        body=body,
        headers=JSON,
    )


def _fits_a_url(source: str) -> bool:
    """A lone surrogate has no UTF-8 form, so no URL can carry it; and a
    request line past the server's header limit (64 KiB) is refused by the
    HTTP server itself, with a plain 400, before the app (tests/reliability/
    test_slow_clients.py checks that answer)."""
    try:
        return len(quote(source)) < 60_000
    except UnicodeEncodeError:
        return False


def spin_probe(n: int) -> Probe:
    body = encode({"source": SPIN.format(n=n)})
    check = problem_check(422, "limit_exceeded", "wall_time")
    return Probe("spin", False, "POST", "/api/v1/evaluate", check, body=body, headers=JSON)


def memory_probe(n: int) -> Probe:
    body = encode({"source": MEMORY_BOMB.format(n=n)})
    check = problem_check(422, "limit_exceeded", "memory_bytes")
    return Probe("memory", False, "POST", "/api/v1/evaluate", check, body=body, headers=JSON)


# -- amplification: tiny programs with big answers, pages or leftovers --------------------------

ANSWER_LIMIT = 8 << 20  # AUTOGRAD_VIZ_ANSWER_MB's default
PAGE_LIMIT = 3 << 20  # app.pipeline.PAGE_BYTES and the page around it


def big_answer_probe(rng: random.Random) -> Probe:
    """A program whose answer would be far larger than the byte limit: a 200
    within it that says what it cut."""
    source = rng.choice(ANSWERED)

    def check(response: httpx.Response) -> None:
        if response.status_code == 422:  # an overloaded machine: the wall time, never cached
            problem_check(422, "limit_exceeded", "wall_time")(response)
            return
        assert response.status_code == 200, response.text[:300]
        body = response.content
        assert len(body) <= ANSWER_LIMIT, len(body)
        # Not parsed: 4 MB of JSON would hold up every client of this loop.
        # The warnings, near the end, say what was cut (or a text was cut).
        warnings = body.rfind(b'"warnings":[')
        said = body[warnings + 12 : warnings + 13] == b'"'
        assert warnings > 0 and (said or b"more characters]" in body), body[-300:]

    body = encode({"source": source})
    return Probe("big-answer", False, "POST", "/api/v1/evaluate", check, body=body, headers=JSON)


def heavy_page_probe(rng: random.Random) -> Probe:
    """The heaviest pages, rendered again each time (from the cached summary)."""

    def check(response: httpx.Response) -> None:
        assert response.status_code == 200, response.text[:300]
        assert response.headers["content-type"].startswith("text/html")
        assert len(response.content) <= PAGE_LIMIT, len(response.content)

    params = [("source", rng.choice(HEAVY_PAGES))]
    return Probe("heavy-page", False, "GET", "/embed", check, params=params)


def leak_probe(n: int) -> Probe:
    """A program that leaves 8 MiB behind in its evaluation process: answered
    right, and the process retired once it holds too much."""

    def check(response: httpx.Response) -> None:
        assert response.status_code == 200, response.text[:300]
        answer = response.json()
        assert answer["value"] == 1_000_000.0 + n and answer["gradients"]["x"] is not None

    body = encode({"source": LEAK.format(n=n)})
    return Probe("leak", False, "POST", "/api/v1/evaluate", check, body=body, headers=JSON)


def malformed_probe(rng: random.Random) -> Probe:
    """Oversized, malformed and mistyped HTTP: refused by the middleware or the routes."""
    kind = rng.randrange(6)
    evaluate = "/api/v1/evaluate"
    if kind == 0:
        body = encode({"source": "x" * 300_000})
        return Probe(
            "huge-body", False, "POST", evaluate, problem_check(413), body=body, headers=JSON
        )
    if kind == 1:  # no Content-Length: counted as it arrives
        body = encode({"source": "y" * 300_000})
        check = problem_check(413)
        return Probe(
            "huge-chunked", False, "POST", evaluate, check, body=body, headers=JSON, chunked=True
        )
    if kind == 2:
        # Past the 60,000 characters a query may have, inside the 64 KiB head.
        params = [("source", "x"), ("x", "1" * 61_000)]
        return Probe(
            "huge-query", False, "GET", "/api/v1/graph.svg", problem_check(414), params=params
        )
    if kind == 3:
        params = [("source", "x"), ("x", "[" * 3_000)]
        check = problem_check(422, "invalid_request")
        return Probe("deep-input", False, "GET", "/api/v1/graph.svg", check, params=params)
    if kind == 4:
        body = b'{"source": "x", "inputs": {"x": '
        check = problem_check(422, "invalid_request")
        return Probe("broken-json", False, "POST", evaluate, check, body=body, headers=JSON)
    headers = {"content-type": "text/plain"}
    return Probe(
        "text-body", False, "POST", evaluate, problem_check(415), body=b"x", headers=headers
    )
