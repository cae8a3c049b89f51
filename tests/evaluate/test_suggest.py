"""A misspelt name gets Python's own "Did you mean" (app/evaluate/suggest.py),
in the error the page shows; `except NameError as e` still sees Python's str(e)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.errors import UserRuntimeError
from app.evaluate import run_source


def python_says(source: str) -> str:
    """The last line of Python's own traceback for `source` (the reference),
    as the interpreter prints it (the suggestion is the printer's)."""
    ran = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True)
    assert ran.returncode == 1
    return ran.stderr.strip().splitlines()[-1]


@pytest.mark.skipif(sys.version_info < (3, 10), reason="Python words it so from 3.10")
@pytest.mark.parametrize(
    "source", ["for i in rnage(3):\n    pass", "lenght = 3\nprint(lengt)", "x = 1\ny = xx + 1"]
)
def test_the_suggestion_is_pythons(source: str) -> None:
    with pytest.raises(UserRuntimeError) as caught:
        run_source(source)
    assert f"NameError: {caught.value.detail.removeprefix('NameError: ')}" == python_says(source)


def test_the_suggestion_is_made(source: str = "for i in rnage(3):\n    pass") -> None:
    with pytest.raises(UserRuntimeError) as caught:
        run_source(source)
    assert caught.value.detail == "NameError: name 'rnage' is not defined. Did you mean: 'range'?"
    assert (caught.value.line, caught.value.column) == (1, 10)


def test_a_caught_name_error_reads_as_in_python() -> None:
    program = "try:\n    rnage(3)\nexcept NameError as e:\n    print(e)\n"
    assert run_source(program).stdout == "name 'rnage' is not defined\n"


def test_no_suggestion_for_a_name_like_nothing() -> None:
    with pytest.raises(UserRuntimeError) as caught:
        run_source("x = 1\ny = qqqzzz + x")
    assert caught.value.detail == "NameError: name 'qqqzzz' is not defined"
