"""What the JSON API and the image URLs accept, as a caller writes them
(issue 21, finding 10): null for "none given", numbers as text the same
inside lists as outside, messages in our words, and a hint for the list
that a Python client sends as repeated parameters."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from app.query import RESERVED

PROGRAM = "y = (w * x).sum()"


def evaluate(client: Any, body: dict[str, Any]) -> httpx.Response:
    response: httpx.Response = client.post("/api/v1/evaluate", json=body)
    return response


def test_null_inputs_and_options_mean_none_given(client: Any) -> None:
    given = evaluate(client, {"source": "3*2", "inputs": None, "options": None, "output": None})
    plain = evaluate(client, {"source": "3*2"})
    assert given.status_code == plain.status_code == 200, given.text
    assert given.json() == plain.json()


@pytest.mark.parametrize(
    ("inputs", "numbers"),
    [
        ({"x": "5", "w": ["1", "2"]}, {"x": 5, "w": [1, 2]}),
        ({"x": " 2.5 ", "w": [["1e1"], ["-3"]]}, {"x": 2.5, "w": [[10.0], [-3]]}),
    ],
)
def test_numbers_as_text_are_numbers_in_lists_too(
    client: Any, inputs: dict[str, Any], numbers: dict[str, Any]
) -> None:
    as_text = evaluate(client, {"source": PROGRAM, "inputs": inputs})
    as_numbers = evaluate(client, {"source": PROGRAM, "inputs": numbers})
    assert as_text.status_code == as_numbers.status_code == 200, as_text.text
    assert as_text.json()["value"] == as_numbers.json()["value"]
    assert as_text.json()["gradients"] == as_numbers.json()["gradients"]


@pytest.mark.parametrize(
    ("inputs", "said"),
    [
        ({"x": 1, "w": ["1", "two"]}, "inputs.w: 'two' is not a number"),
        ({"x": "nan", "w": [1]}, "inputs.x: 'nan' is not a finite number"),
        ({"x": True, "w": [1]}, "inputs.x: true and false are not numbers"),
        ({"x": 1, "w": [1, [False]]}, "inputs.w: true and false are not numbers"),
    ],
)
def test_what_is_not_a_number_is_said_in_our_words(
    client: Any, inputs: dict[str, Any], said: str
) -> None:
    response = evaluate(client, {"source": PROGRAM, "inputs": inputs})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail == said
    assert "Value error" not in detail


@pytest.mark.parametrize(
    "body",
    [
        {"source": "1", "output": "1x"},
        {"source": "1", "inputs": {"x": {"a": 1}}},
        {"source": "1", "options": {"rankdir": "XY"}},
        {"source": "1", "options": {"colour": "red"}},
        {"source": 5},
        [1],
        {"source": "1", "foo": 1},
        {"inputs": {}},
    ],
)
def test_no_validator_wording_leaks(client: Any, body: dict[str, Any]) -> None:
    response = evaluate(client, body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    detail = response.json()["detail"]
    for pydantic in ("Value error", "Input should", "Extra inputs", "[key]", "list[any]", "Field"):
        assert pydantic not in detail, detail


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            {"source": "1", "inputs": {"w": {"a": 1}}},
            "inputs.w: must be a number or a list of numbers",
        ),
        (
            {"source": "1", "inputs": {"1w": 1}},
            "inputs: '1w' must be a name: a letter, then up to 63 letters, digits or underscores",
        ),
        ([1], 'the request must be a JSON object, such as {"source": "3*sin(x)"}'),
        (
            {"source": "1", "foo": 1},
            "foo: is not a field of the request; the fields are source, inputs, output, options",
        ),
        ({"inputs": {}}, "source: is required"),
        ({"source": 5}, "source: must be text (a JSON string)"),
        (
            {"source": "1", "options": {"style": "x"}},
            "options.style: must be 'default' or 'torchviz'",
        ),
    ],
)
def test_what_is_wrong_with_a_request_is_said_in_our_words(
    client: Any, body: Any, said: str
) -> None:
    response = evaluate(client, body)
    assert response.status_code == 422
    assert response.json()["detail"] == said


def test_an_unknown_option_is_told_the_options(client: Any) -> None:
    detail = evaluate(client, {"source": "1", "options": {"colour": 1}}).json()["detail"]
    assert detail.startswith("options.colour: is not an option; the options are ")
    assert "rankdir" in detail and "show_saved" in detail


def test_a_list_sent_as_repeated_parameters_is_told_how_to_send_it(client: Any) -> None:
    url = "/api/v1/graph.json"
    # What httpx and requests send for params={"w": [1, 2]}: w=1&w=2.
    repeated = client.get(url, params={"source": "(w * 2).sum()", "w": [1, 2]})
    assert repeated.status_code == 422
    detail = repeated.json()["detail"]
    assert "'w' is given more than once" in detail
    assert "w=[1,2]" in detail and "json.dumps([1, 2])" in detail
    # Done as it says, it works.
    fixed = client.get(url, params={"source": "(w * 2).sum()", "w": json.dumps([1, 2])})
    assert fixed.status_code == 200, fixed.text
    # An option given twice gets no list hint: an option is never a list.
    twice = client.get(url, params=[("source", "1"), ("rankdir", "LR"), ("rankdir", "TB")])
    assert twice.status_code == 422
    assert "json" not in twice.json()["detail"] and "rankdir" in RESERVED


def test_the_invalid_request_page_says_what_a_request_is(client: Any) -> None:
    document = client.get("/problems/invalid_request").json()
    assert document["code"] == "invalid_request"
    for words in ("source", "inputs", '"w": [1, 2]', "w=[1,2]", "output", "options"):
        assert words in document["help"], words
    every = [client.get(f"/problems/{code}").json() for code in ("syntax_error", "not_found")]
    assert all(len(d["help"]) > len(d["description"]) for d in every)
