"""The documentation is complete: every setting and endpoint is written down."""

from __future__ import annotations

from app.settings import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_every_setting_is_in_the_readme_with_its_default() -> None:
    for name, field in Settings.model_fields.items():
        variable = f"AUTOGRAD_VIZ_{name.upper()}"
        rows = [line for line in README.splitlines() if line.startswith(f"| `{variable}` |")]
        assert rows, f"{variable} is not documented in README.md"
        default = field.default
        shown = "unset" if default is None else str(default).lower()
        assert shown in rows[0].lower(), (variable, default, rows[0])


def test_every_documented_variable_exists() -> None:
    fields = set(Settings.model_fields)
    for line in README.splitlines():
        if line.startswith("| `AUTOGRAD_VIZ_"):
            name = line.split("`")[1].removeprefix("AUTOGRAD_VIZ_").lower()
            assert name in fields, name


def test_the_readme_opens_with_a_picture_and_two_commands() -> None:
    head = README[:2500]
    assert "![" in head and "docs/screenshot.png" in head
    assert (ROOT / "docs" / "screenshot.png").stat().st_size > 10_000
    assert "scripts/serve" in README and "scripts/test" in README
    for script in ("serve", "test", "bootstrap"):
        assert (ROOT / "scripts" / script).stat().st_mode & 0o111
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_every_endpoint_is_documented() -> None:
    from app.main import create_app

    docs = README + "".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))
    paths = set(create_app().openapi()["paths"]) | {"/", "/embed", "/docs", "/metrics"}
    for path in paths:
        # graph.{fmt} is written out per format in the docs: graph.svg, graph.png, ...
        spelled = path.replace("{fmt}", "svg")
        assert spelled in docs, f"{path} is not documented in README.md or docs/"
