"""The survey of torch (app/parse/allowlist/survey.py) against the installed torch.

Each public callable of the surveyed namespaces is allowed or excluded with a
reason, never neither; the checked-in table is what the survey writes today,
so a torch upgrade or a changed decision shows up as a failing test and a
diff of app/parse/allowlist/torch_surface.py.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap

import pytest
import torch

from app.parse import allowlist as A
from app.parse.allowlist import numpy as numpy_table
from app.parse.allowlist import survey, torch_surface
from app.parse.allowlist.torch_exclusions import SIDE_EFFECTS, category


@pytest.fixture(scope="module")
def table() -> dict[str, dict[str, survey.Allowed | str]]:
    return survey.survey()


def test_the_checked_in_table_is_the_survey_of_this_torch(
    table: dict[str, dict[str, survey.Allowed | str]],
) -> None:
    assert torch_surface.TORCH_VERSION == torch.__version__
    assert survey.TARGET.read_text(encoding="utf-8") == survey.render(table), (
        "run `python -m app.parse.allowlist.survey --write` and review the diff"
    )


def test_the_documents_print_the_figure_the_survey_computes(
    table: dict[str, dict[str, survey.Allowed | str]],
) -> None:
    block = survey.figures(table)
    for document in survey.DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        assert survey.with_figures(text, block) == text, (
            f"{document.name}: run `python -m app.parse.allowlist.survey --write`"
        )
    allowed, pure = survey.coverage(table)
    assert f"**{allowed:,} of the {pure:,} pure public callables**" in block


def test_every_public_callable_is_allowed_or_excluded_with_a_reason() -> None:
    missing = []
    for path in survey.SPACES:
        allowed = torch_surface.ALLOWED[path]
        excluded = torch_surface.EXCLUDED[path]
        for name, _ in survey.public_callables(path):
            if name in allowed == (name in excluded):
                missing.append(f"{path}.{name}")
        for name, why in excluded.items():
            assert re.fullmatch(r"[a-z ]+: \S.*", why), f"{path}.{name}: {why!r}"
            assert "\n" not in why
    assert not missing


def test_the_allowed_callables_are_the_languages() -> None:
    for name in torch_surface.ALLOWED["torch"]:
        assert isinstance(A.TORCH[name], A.Fn), name
    for name in torch_surface.ALLOWED["torch.Tensor"]:
        assert name in A.TENSOR_METHODS
    for path in ("torch.nn.functional", "torch.linalg", "torch.special", "torch.fft"):
        assert set(torch_surface.ALLOWED[path]) <= set(A.NAMESPACES[path])
    # NumPy's bridges (torch.from_numpy, x.numpy()) are excluded from torch's
    # survey "as NumPy's table's": that table adds them (app.parse.allowlist.numpy).
    bridges = set(numpy_table.TORCH_BRIDGES) | set(numpy_table.TENSOR_BRIDGES)
    for excluded in ("torch", "torch.Tensor"):
        assert not set(torch_surface.EXCLUDED[excluded]) & (
            set(A.TORCH) if excluded == "torch" else set(A.TENSOR_METHODS) - bridges
        )
    for name in bridges:
        assert "NumPy's table" in torch_surface.EXCLUDED["torch"].get(
            name, torch_surface.EXCLUDED["torch.Tensor"].get(name, "")
        )


def test_coverage_of_pure_callables_is_at_least_95_percent() -> None:
    merged: dict[str, dict[str, object]] = {}
    for path in survey.SPACES:
        merged[path] = {**torch_surface.ALLOWED[path], **torch_surface.EXCLUDED[path]}
    allowed, pure = survey.coverage(merged)
    assert allowed / pure >= 0.95
    side = sum(
        category(why) in SIDE_EFFECTS
        for entries in torch_surface.EXCLUDED.values()
        for why in entries.values()
    )
    assert allowed + side + (pure - allowed) == sum(len(m) for m in merged.values())


_DRAWS = frozenset(
    "rand randn randint rand_like randn_like bernoulli bernoulli_ multinomial uniform_ normal_ "
    "exponential_ dropout alpha_dropout feature_alpha_dropout feature_dropout rrelu "
    "fractional_max_pool2d fractional_max_pool3d gumbel_softmax".split()
)


def _calls_a_draw(function: object) -> bool:
    """Whether a Python function's code (not its docstring) names a kernel that draws."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))  # type: ignore[arg-type]
    except (OSError, TypeError, SyntaxError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _DRAWS:
            return True
        if isinstance(node, ast.Name) and node.id in _DRAWS:
            return True
    return False


def test_python_functions_that_draw_from_the_generator_are_marked_random() -> None:
    # ATen's operators carry a tag; a Python function is read for the kernels
    # that draw (dropout's, rrelu's, gumbel's, ...).
    for path, entries in torch_surface.ALLOWED.items():
        space = survey.SPACES[path]
        for name, (_, _, flags) in entries.items():
            value = getattr(space, name)
            if inspect.isfunction(value) and "special:" not in flags and _calls_a_draw(value):
                assert "random" in flags, f"{path}.{name}"


def test_no_allowed_callable_takes_a_dangerous_keyword() -> None:
    for entries in torch_surface.ALLOWED.values():
        for name, (_, keywords, _) in entries.items():
            assert not set(keywords.split()) & {
                "out",
                "layout",
                "pin_memory",
                "memory_format",
                "generator",
            }, name


def test_a_functions_reserved_names_are_torchs() -> None:
    public = {n for n in dir(torch.autograd.Function) if not n.startswith("_")}
    assert public == A.FUNCTION_RESERVED
