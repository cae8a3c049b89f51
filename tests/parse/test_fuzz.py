"""Any text whatever: the parser answers with a Program or one of our errors.

And a program that does parse, run with small limits, answers with a value
or one of our errors too (never a crash, never a hang).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import LimitExceeded, NotAllowed, SourceSyntaxError, VisualizerError
from app.evaluate import evaluate
from app.limits import Limits
from app.parse import Program, parse_program

# Fuzzing is bounded by its example counts, and in time here, for CI.
pytestmark = pytest.mark.timeout(240)

SMALL = Limits(
    source_chars=2_000,
    steps=200,
    tensor_elements=10_000,
    total_elements=100_000,
    sequence_length=1_000,
    int_bits=256,
    stdout_chars=1_000,
)
TOKENS = [
    "x", "y", "i", "f", "torch", "F", "np", "sin", "print", "range", "len", "sum", "max",
    "torch.ones", "torch.tensor", "torch.randn", ".sum()", ".grad", ".backward()", ".T",
    "(", ")", "[", "]", "{", "}", ",", ":", ".", "=", "+", "-", "*", "**", "/", "//", "%",
    "@", "<", "==", " ", "\n", "    ", "\t", "0", "1", "2.5", "10", "'s'", "f'{x}'", "def ",
    "return ", "for ", " in ", "if ", "else", "while ", "try", "except", "import ", "lambda",
    "__class__", "_", "eval", "open", "#", "\\", "\x00", "\u202e", "é", "not ", " and ",
    "None", "True", "with ", "torch.no_grad()", "requires_grad=True", "dim=0", "x[0]",
]  # fmt: skip
PYTHONISH = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
OURS = (SourceSyntaxError, NotAllowed, LimitExceeded)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text(source: str) -> None:
    try:
        program = parse_program(source, SMALL)
    except OURS:
        return
    assert isinstance(program, Program)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PYTHONISH, st.floats(-3, 3))
def test_python_like_text(source: str, x: float) -> None:
    try:
        program = parse_program(source, SMALL)
    except OURS:
        return
    try:
        evaluate(program, {"x": x, "y": [x, 1.0]}, limits=SMALL)
    except VisualizerError:
        pass
