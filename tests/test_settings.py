"""Settings: every limit of an evaluation is configurable, and reaches the workers."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from app.limits import Limits
from app.settings import Settings
from tests.conftest import LiveServer, start_server, stop_server

# Limits fields whose setting has another name (in another unit).
RENAMED = {"memory_bytes": "memory_mb", "answer_bytes": "answer_mb"}


def test_every_limit_has_a_setting() -> None:
    limits = {field.name for field in dataclasses.fields(Limits)}
    settings = set(Settings.model_fields)
    assert {RENAMED.get(name, name) for name in limits} <= settings


def test_every_limit_is_read_from_its_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected: dict[str, int | float] = {}
    for field in dataclasses.fields(Limits):
        name = RENAMED.get(field.name, field.name)
        default = Settings.model_fields[name].default
        value = default * 2 if name != "stdout_chars" else default + 1
        monkeypatch.setenv(f"AUTOGRAD_VIZ_{name.upper()}", str(value))
        expected[field.name] = value << 20 if name in ("memory_mb", "answer_mb") else value
    limits = dataclasses.asdict(Settings().limits())
    assert limits == expected


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {
        "AUTOGRAD_VIZ_INT_BITS": "64",
        "AUTOGRAD_VIZ_NESTING_DEPTH": "6",
        "AUTOGRAD_VIZ_CALL_DEPTH": "5",
        "AUTOGRAD_VIZ_SEQUENCE_LENGTH": "50",
        "AUTOGRAD_VIZ_STDOUT_CHARS": "12",
    }
    server = start_server(tmp_path_factory.mktemp("strict"), env=env, name="strict")
    yield server
    stop_server(server)


COUNTDOWN = "def down(n):\n    if n == 0:\n        return 0\n    return down(n - 1)\ndown(10)\n"


@pytest.mark.parametrize(
    ("source", "limit", "value"),
    [
        ("2**100", "int_bits", 64),
        ("[[[[[[[[1]]]]]]]]", "nesting_depth", 6),
        (COUNTDOWN, "call_depth", 5),
        ("[0] * 51", "sequence_length", 50),
    ],
)
def test_a_configured_limit_refuses_what_the_default_allows(
    strict_server: LiveServer, source: str, limit: str, value: int
) -> None:
    with strict_server.client() as http:
        answer = http.post("/api/v1/evaluate", json={"source": source})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert (problem["code"], problem["limit"], problem["limit_value"]) == (
        "limit_exceeded",
        limit,
        value,
    )


def test_a_configured_stdout_is_cut_with_a_warning(strict_server: LiveServer) -> None:
    with strict_server.client() as http:
        answer = http.post("/api/v1/evaluate", json={"source": "print('abcdefghij' * 3)\n1"})
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["stdout"] == "abcdefghijab"
    assert "stdout was cut at 12 characters" in document["warnings"]


def test_the_defaults_run_those_programs() -> None:
    # The refusals above come from the settings, not from the programs.
    from app.evaluate import run_source

    for source in ("2**100", "[[[[[[[[1]]]]]]]]", COUNTDOWN, "[0] * 51"):
        assert run_source(source).output is not None
