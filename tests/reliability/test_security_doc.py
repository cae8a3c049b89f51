"""SECURITY.md keeps up with the code: every setting and every limit is in
its tables, with the default the code has."""

from __future__ import annotations

import dataclasses

import pytest

from app.limits import Limits
from app.settings import Settings
from tests.conftest import ROOT

SECURITY = (ROOT / "SECURITY.md").read_text()


def row(name: str) -> str:
    rows = [line for line in SECURITY.splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"{name} should have one row in SECURITY.md, has {len(rows)}"
    return rows[0]


def shown(default: object) -> str:
    return "unset" if default is None else f"`{str(default).lower()}`"


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_in_security_md_with_its_default(name: str) -> None:
    variable = f"AUTOGRAD_VIZ_{name.upper()}"
    cells = [cell.strip() for cell in row(variable).split("|")]
    assert cells[2] == shown(Settings.model_fields[name].default), cells


@pytest.mark.parametrize("field", dataclasses.fields(Limits), ids=lambda f: f.name)
def test_every_limit_is_in_security_md_with_its_default(field: dataclasses.Field[object]) -> None:
    cells = [cell.strip() for cell in row(field.name).split("|")]
    assert cells[2] == shown(field.default), cells


def test_no_row_names_a_setting_or_limit_that_does_not_exist() -> None:
    known = {f"AUTOGRAD_VIZ_{name.upper()}" for name in Settings.model_fields}
    known |= {field.name for field in dataclasses.fields(Limits)}
    for line in SECURITY.splitlines():
        if line.startswith("| `"):
            assert line.split("`")[1] in known, line


def test_the_promises_that_matter_are_written_down() -> None:
    for words in (
        "security@example.org",
        "keeps no state",
        "RLIMIT_AS",
        "no seccomp filter",
        "non-root",
        "read-only root file system",
        "slowloris",
        "reverse proxy",
        "per server process",
        "never given to `eval`, `exec`, `compile`, `pickle`",
        "starting with `_` never resolve",
    ):
        assert words in SECURITY, words
