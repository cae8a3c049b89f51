"""Hypothesis over the HTTP layer's own parsing: the query grammar
(app/query.py), the page's form (app/api/pages.py) and the app in-process.

Only InvalidRequest may escape the parsers; the app answers every query
below 500. Each fuzzer is bounded twice: by its examples, and by a
pytest-timeout, so a slow shrink cannot hold up CI. What they found is in
tests/reliability/test_regressions.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.api.pages import form_to_query, parse_inputs_text
from app.errors import InvalidRequest
from app.job import Job
from app.query import RESERVED, job_from_query, query_from_job

# Text a URL can carry: anything but lone surrogates.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
VALUES = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "5", "-2.5e3", "1e309", "nan", "inf", "-0", "1_000", "0x10", "[1, 2]", "[[1], [2, 3]]",
            "[1e400]", "[NaN]", "[Infinity]", "[null]", '["a"]', "[true]", "[]", "[[]]", "[" * 3000,
            "[" * 9 + "1" + "]" * 9, "1" * 400, "true", "false", "LR", "XY", "torchviz", "dark",
        ]
    ),
)  # fmt: skip
NAMES = st.one_of(st.sampled_from(sorted(RESERVED | {"x", "y", "w"})), TEXT)
PAIRS = st.lists(st.tuples(NAMES, VALUES), max_size=8)
FORMATS = st.sampled_from(["svg", "png", "dot", "json", None])
BOUNDED = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.timeout(120)
@BOUNDED
@given(PAIRS, FORMATS)
@example([("source", "x"), ("x", "[" * 3000)], "svg")  # json's RecursionError
def test_the_query_grammar_answers_a_job_or_invalid_request(
    pairs: list[tuple[str, str]], fmt: Any
) -> None:
    try:
        job = job_from_query(pairs, fmt=fmt)
    except InvalidRequest as refusal:
        assert refusal.status == 422 and refusal.detail
        return
    assert isinstance(job, Job)
    # What was accepted survives the round trip a permalink makes.
    assert job_from_query(query_from_job(job), fmt=fmt).key() == job.key()


@pytest.mark.timeout(120)
@BOUNDED
@given(PAIRS, TEXT | VALUES)
def test_the_page_form_answers_pairs_or_invalid_request(
    pairs: list[tuple[str, str]], inputs: str
) -> None:
    try:
        query = form_to_query([*pairs, ("_inputs", inputs)])
    except InvalidRequest:
        return
    assert query[0][0] == "source"
    try:
        parse_inputs_text(inputs)
    except InvalidRequest:
        pytest.fail("form_to_query accepted inputs that parse_inputs_text refuses")


@pytest.mark.timeout(180)
@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["/api/v1/graph.json", "/api/v1/graph.svg", "/embed", "/"]), PAIRS)
def test_the_app_answers_any_query_below_500(client: Any, path: str, pairs: list[Any]) -> None:
    response = client.get(path, params=pairs)
    assert response.status_code < 500, (path, pairs, response.text[:300])
    if response.status_code >= 400 and path.startswith("/api/"):
        assert response.headers["content-type"] == "application/problem+json"
