"""What the fuzzers and the load test found, kept found.

- A list input nested a thousand deep (`?x=[[[[...`) made json.loads raise
  RecursionError, which app/query.py let through: a 500 on graph.*, / and
  /embed. Now an invalid_request.
- torch reports an allocation that fails at RLIMIT_AS as a RuntimeError,
  which the evaluator answered as the program's own runtime_error (400), and
  a program could catch with try/except. Now limit_exceeded (memory_bytes);
  and the process that ran out is replaced, as app/workers/child.py meant
  (it looked for the limit "memory" only): tests/reliability/test_faults.py.
- FastAPI turns any exception raised while it reads a body into its own 400
  "There was an error parsing the body", so a chunked body over the limit
  was a 400 and a trickled one a 400 too, not 413 and 408. Now the
  middleware answers first (app/middleware.py RequestLimits).
- A 100-node graph with loop boxes crashed Graphviz 14 in-process (an
  assertion in mincross.c), taking the evaluation process with it: a 503
  for a program anyone can type, every time it was sent. Fixed in
  app/render/layout.py: a layout of PROCESS_NODES (40) nodes or more runs in
  a process of its own, and one that dies is retried with newrank=true,
  which draws this graph; the last test below asserts the 200 and the SVG.
- The same assertion, found by fuzzing later, on a 22-node graph (four
  iterations, saved tensors shown, left to right) laid out in-process: the
  evaluation process aborted, a 503. Now every graph with loop boxes lays
  out in the layout process; the test after it.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.errors import InvalidRequest, LimitExceeded
from app.evaluate.failures import convert
from app.limits import DEFAULT_LIMITS
from app.query import job_from_query

DEEP = "[" * 3000


def test_a_deeply_nested_list_input_is_an_invalid_request() -> None:
    with pytest.raises(InvalidRequest, match="must be a number or a list"):
        job_from_query([("source", "x"), ("x", DEEP)])


@pytest.mark.parametrize("path", ["/api/v1/graph.svg", "/api/v1/graph.json", "/", "/embed"])
def test_a_deeply_nested_list_input_is_not_a_server_error(client: Any, path: str) -> None:
    response = client.get(path, params={"source": "x", "x": DEEP})
    if path.startswith("/api/"):
        assert response.status_code == 422, response.text[:300]
        assert response.json()["code"] == "invalid_request"
    else:  # the page shows the error in place
        assert response.status_code == 200, response.text[:300]
        assert "must be a number or a list" in response.text


def test_a_failed_torch_allocation_is_the_memory_limit() -> None:
    failure = RuntimeError(
        "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate "
        "memory: you tried to allocate 8000000 bytes. Error code 12 (Cannot allocate memory)"
    )
    error = convert(failure, DEFAULT_LIMITS, 3, 14)
    assert isinstance(error, LimitExceeded)
    assert (error.limit, error.line, error.column) == ("memory_bytes", 3, 14)
    # Other runtime errors stay the program's own, which it may catch.
    assert not isinstance(
        convert(RuntimeError("shape mismatch"), DEFAULT_LIMITS, 1, 1), LimitExceeded
    )


def chunks(total: int) -> Any:
    for _ in range(total // 10_000):
        yield b"x" * 10_000


def test_a_chunked_body_over_the_limit_is_413_through_the_real_routes(client: Any) -> None:
    response = client.post(
        "/api/v1/evaluate", content=chunks(300_000), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "limit_exceeded"
    assert response.headers["x-content-type-options"] == "nosniff"


# Four leaves, 45 steps in a loop: 99 nodes, on whose loop clusters Graphviz
# 14.1.5 aborts in mincross.c fixLabelOrder. It lays out in the layout
# process (app.render.layout.PROCESS_NODES), which dies; the retry with
# newrank draws it.
GRAPHVIZ_ABORT = (
    "xs = []\nfor i in range(4):\n    xs.append(torch.tensor(float(i), requires_grad=True))\n"
    "y = xs[0]\nfor i in range(45):\n    y = y + xs[i % 4] * xs[(i * 3 + 1) % 4]\ny"
)


def test_a_graph_that_crashes_graphviz_is_not_a_server_error(client: Any) -> None:
    response = client.get("/api/v1/graph.svg", params={"source": GRAPHVIZ_ABORT})
    assert response.status_code == 200, response.text[:300]
    assert response.content.startswith(b"<svg")


# 22 nodes: under PROCESS_NODES, but its loop boxes abort Graphviz 14.1.5 the
# same way (found by fuzzing); every graph with loop boxes lays out in the
# layout process.
SMALL_GRAPHVIZ_ABORT = "y = w\nfor i in range(4):\n    y = y * w + torch.tanh(w)\n"


def test_a_small_graph_that_crashes_graphviz_is_not_a_server_error(client: Any) -> None:
    params = {
        "source": SMALL_GRAPHVIZ_ABORT,
        "w": "[[1, 2], [3, 4]]",
        "show_saved": "true",
        "rankdir": "LR",
    }
    response = client.get("/api/v1/graph.svg", params=params)
    assert response.status_code == 200, response.text[:300]
    assert response.content.startswith(b"<svg")
    answer = client.post(
        "/api/v1/evaluate",
        json={
            "source": SMALL_GRAPHVIZ_ABORT,
            "inputs": {"w": [[1, 2], [3, 4]]},
            "options": {"show_saved": True, "rankdir": "LR"},
        },
    )
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["svg"].startswith("<svg")
    assert len(answer.json()["graph"]["nodes"]) < 40  # below PROCESS_NODES
