"""What str(), print, f-strings, str.format and % may write is counted as the
text Python writes (audit16 F5): a string alone without quotes, a string in
a container with its repr, the brackets and separators as Python puts them.

Each case runs at a sequence_length of exactly the text's length (it runs
and makes that text) and at one less (refused with sequence_length). The
values are literals in the program, so making them meets no limit.
"""

from __future__ import annotations

import pytest

from app.errors import LimitExceeded
from app.evaluate import run_source
from app.limits import Limits
from tests.evaluate.python import python_stdout

# Values, as program text, whose text is to be counted.
VALUES = [
    "'" + "A" * 50 + "'",
    "'it' + \"'\" + 's'",  # repr switches to double quotes
    "'\\x00\\n' + 'é'",  # escapes in a repr, not in a str
    "['" + "B" * 20 + "', 'b', 7]",
    "('x',)",
    "('a', 'b', ())",
    "{'k': 'v', 2: [1, 2], 'e': {}}",
    "[10 ** 20, -3, 2.5, None, True, [], ['\\t']]",
    "[['ab'] * 3] * 2",
]
# The ways a program writes a value's text; `v` is the value.
FORMS = [
    "str(v)",
    'f"{v}"',
    'f"{v!r}"',
    'f"<{v!s}>"',
    '"{}".format(v)',
    '"{!r}".format(v)',
    '"%s" % (v,)',
    '"%r|%%" % (v,)',
    'print(v, end="")',
]


def python_text(value: str, form: str) -> str:
    """The text real Python writes (the form's result, or what print printed)."""
    if form.startswith("print"):
        return python_stdout(f"v = {value}\n{form}")
    return python_stdout(f"v = {value}\nprint({form}, end='')")


def run(value: str, form: str, length: int) -> str:
    evaluation = run_source(f"v = {value}\n{form}", limits=Limits(sequence_length=length))
    return evaluation.stdout if form.startswith("print") else evaluation.output


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("value", VALUES)
def test_the_text_is_counted_as_python_writes_it(value: str, form: str) -> None:
    text = python_text(value, form)
    assert run(value, form, len(text)) == text
    with pytest.raises(LimitExceeded) as caught:
        run(value, form, len(text) - 1)
    assert caught.value.limit == "sequence_length"


def test_a_recursive_list_counts_its_ellipsis() -> None:
    source = "v = [1]\nv.append(v)\nv.append('x')\nstr(v)"
    text = "[1, [...], 'x']"
    assert run_source(source, limits=Limits(sequence_length=len(text))).output == text
    with pytest.raises(LimitExceeded):
        run_source(source, limits=Limits(sequence_length=len(text) - 1))


@pytest.mark.parametrize(
    "source",
    [
        's = "A" * 99999\nprint(s)',
        's = "A" * 100000\nprint(s, end="")',
        's = "A" * 100000\nt = str(s)',
        's = "A" * 100000\nt = f"{s}"',
        's = "A" * 100000\nt = "%s" % s',
        's = "A" * 99998\nt = f"{s!r}"',
    ],
)
def test_the_audits_strings_at_the_limit_run(source: str) -> None:
    # Refused before as 100,001 or 100,002 items: the text is 100,000.
    evaluation = run_source(source)
    assert len(evaluation.stdout) in (0, 100_000)


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("str(np.float64(1.5))", "1.5"),
        ("str([np.float64(1.5)])", "[np.float64(1.5)]"),
        ("str(7)", "7"),
    ],
)
def test_numbers_are_their_own_text(source: str, text: str) -> None:
    assert run_source(source, limits=Limits(sequence_length=len(text))).output == text
