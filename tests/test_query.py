from __future__ import annotations

import pytest

from app.errors import InvalidRequest
from app.job import Job, RenderOptions
from app.query import job_from_query, parse_input, query_from_job


def test_inputs_options_and_source_are_told_apart() -> None:
    job = job_from_query(
        [
            ("source", "3*sin(x) + w.sum()"),
            ("x", "5"),
            ("w", "[1, 2.5]"),
            ("rankdir", "LR"),
            ("show_grads", "false"),
            ("output", "y"),
        ]
    )
    assert job.source == "3*sin(x) + w.sum()"
    assert job.inputs == {"w": [1, 2.5], "x": 5}
    assert job.options.rankdir == "LR"
    assert job.options.show_grads is False
    assert job.output == "y"


@pytest.mark.parametrize(
    ("text", "value"), [("5", 5), ("-2.5", -2.5), ("1e3", 1000.0), ("[1,[2,3]]", [1, [2, 3]])]
)
def test_input_grammar(text: str, value: object) -> None:
    assert parse_input("x", text) == value


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "[1,", "__import__('os')"])
def test_bad_inputs_are_invalid_requests(text: str) -> None:
    with pytest.raises(InvalidRequest, match="'x'"):
        job_from_query([("source", "x"), ("x", text)])


@pytest.mark.parametrize(
    "pairs",
    [
        [("x", "1")],  # no source
        [("source", "x"), ("source", "y")],  # twice
        [("source", "x"), ("rankdir", "XX")],
        [("source", "x"), ("show_values", "maybe")],
        [("source", "x"), ("_private", "1")],
        [("source", "x"), ("a-b", "1")],
    ],
)
def test_malformed_queries_are_invalid_requests(pairs: list[tuple[str, str]]) -> None:
    with pytest.raises(InvalidRequest):
        job_from_query(pairs)


def test_the_same_program_is_the_same_key_whichever_way_it_is_written() -> None:
    a = job_from_query([("source", "x*2\r\n\n"), ("x", "3"), ("theme", "light")])
    b = Job(source="x*2", inputs={"x": 3}, options=RenderOptions())
    assert a.key() == b.key()
    assert a.key() != Job(source="x*2", inputs={"x": 4}).key()
    assert a.key() != Job(source="x*2", inputs={"x": 3}, format="png").key()


def test_query_round_trip() -> None:
    job = job_from_query([("source", "w.sum()"), ("w", "[1, 2]"), ("style", "torchviz")])
    assert job_from_query(query_from_job(job)) == job


def test_only_ascii_white_space_is_trimmed() -> None:
    # U+0085 is white space to str.strip, but the parser must see (and refuse) it.
    assert Job(source="x = 1\x85").source == "x = 1\x85"
    assert Job(source="x = 1 \t\r\n\n").source == "x = 1"
