"""The hostile corpus (tests/evaluate/hostile.py): each program refused or stopped
with the right code, and nothing run that should not have been."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import VisualizerError
from app.evaluate import run_source
from app.limits import Limits
from app.parse import parse_program
from tests.evaluate import hostile_nn, hostile_numpy
from tests.evaluate.hostile import CORPUS, LIM, NA, SYN
from tests.evaluate.hostile_breadth import RUNTIME as BREADTH_RUNTIME
from tests.evaluate.hostile_pyplot import RUNTIME_REFUSALS as PYPLOT_RUNTIME_REFUSALS

# Fewer steps than the default: the corpus's endless loops stop ten times sooner.
LIMITS = Limits(steps=10_000)

# Refused while running, not before: what they refuse depends on a value.
RUNTIME_REFUSALS = (
    {
        "'{0.__class__}'.format(1)",
        "with 1:\n    pass",
        "x = torch.ones(1)\nx.to(device='meta')",
        "x = torch.ones(1)\nx.to(torch.device('meta'))",
        "torch.Tensor(3, 3)",
        "@print\ndef f():\n    return 1",
        "x = torch.ones(3, requires_grad=True)\ny = (x * 2).sum()\ny.grad_fn.register_hook(print)",
        "torch.nn.Module()",
    }
    | hostile_numpy.RUNTIME
    | BREADTH_RUNTIME
    | hostile_nn.RUNTIME
    | PYPLOT_RUNTIME_REFUSALS
)


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 150
    assert len({source for source, _ in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize(("source", "code"), CORPUS, ids=[repr(s[:40]) for s, _ in CORPUS])
def test_refused_or_stopped(source: str, code: str, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    text = source.replace("MARKER", str(marker))
    with pytest.raises(VisualizerError) as caught:
        run_source(text, limits=LIMITS)
    error = caught.value
    assert error.code == code, str(error)
    assert error.detail
    if code in (NA, SYN) and text.strip():
        assert error.line is not None and error.column is not None
    if code == LIM:
        assert error.to_dict()["limit"]
    assert not marker.exists()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "source",
    [s for s, code in CORPUS if code in (NA, SYN) and s not in RUNTIME_REFUSALS],
    ids=lambda s: repr(s[:40]),
)
def test_refused_before_anything_runs(source: str) -> None:
    # The refusal comes from the parse stage: the program never starts, so
    # `print('ran')` before a refused line prints nothing.
    with pytest.raises(VisualizerError):
        parse_program(source.replace("MARKER", "/nonexistent/marker"))


@pytest.mark.parametrize("source", sorted(RUNTIME_REFUSALS))
def test_runtime_refusals_parse(source: str) -> None:
    parse_program(source)


def test_limit_errors_cannot_be_caught() -> None:
    source = "try:\n    x = torch.ones(10**10)\nexcept Exception as e:\n    print('caught')\n"
    with pytest.raises(VisualizerError) as caught:
        run_source(source)
    assert caught.value.code == "limit_exceeded"
    source = "try:\n    while True:\n        pass\nexcept:\n    pass\n"
    with pytest.raises(VisualizerError) as caught:
        run_source(source, limits=LIMITS)
    assert caught.value.code == "limit_exceeded"


def test_runtime_refusals_cannot_be_caught() -> None:
    source = "try:\n    with 1:\n        pass\nexcept Exception:\n    print('caught')\n"
    with pytest.raises(VisualizerError) as caught:
        run_source(source)
    assert caught.value.code == "not_allowed"
