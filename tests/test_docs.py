"""The documentation is complete: every setting and endpoint is written down."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

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


# A fence (CommonMark 4.5): up to 3 spaces, then 3+ backticks or tildes, then
# an info string (a backtick fence's may hold no backtick). It closes at a
# fence of the same character, at least as long, with nothing after it.
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
# A section heading of these docs; a lone `#` in a code block is a comment.
SECTION = re.compile(r"^ {0,3}#{2,3} ")
MARKDOWN = sorted([*ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md")])


def fence_problems(text: str) -> list[str]:
    """Fences that break the page: a nested fence as long as its outer one,
    a heading swallowed by a code block, a block never closed."""
    problems: list[str] = []
    opened: tuple[str, int] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        found = FENCE.match(line)
        if opened is None:
            if found and not (found[1][0] == "`" and "`" in found[2]):
                opened = (found[1], number)
            continue
        fence, start = opened
        if found and found[1][0] == fence[0] and len(found[1]) >= len(fence):
            if not found[2].strip():
                opened = None
            else:  # meant as an inner block's opening: it is text of this one
                problems.append(
                    f"line {number}: a fence inside the block of line {start}: "
                    f"make the outer fence longer than {fence}"
                )
        elif SECTION.match(line):
            problems.append(f"line {number}: heading inside the code block of line {start}")
    if opened is not None:
        problems.append(f"line {opened[1]}: a code block that never closes")
    return problems


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_fences_are_balanced_and_headings_outside_them(path: Path) -> None:
    assert fence_problems(path.read_text()) == []


def test_the_fence_check_catches_a_block_nested_in_an_equal_fence() -> None:
    # docs/embedding.md as it was: "### MkDocs" became part of a code block.
    nested = (
        "```markdown\n```{figure} a.svg\nA caption.\n```\n```\n\n### MkDocs\n\n```yaml\nx: 1\n```\n"
    )
    problems = fence_problems(nested)
    assert any("a fence inside the block of line 1" in p for p in problems), problems
    assert any("line 7: heading inside" in p for p in problems), problems
    fixed = nested.replace("```markdown", "````markdown", 1).replace("```\n```\n", "```\n````\n", 1)
    assert fence_problems(fixed) == []
    assert fence_problems("```sh\nls\n") == ["line 1: a code block that never closes"]


def test_the_javascript_example_prints_what_the_api_answers(client: Any) -> None:
    embedding = (ROOT / "docs" / "embedding.md").read_text()
    comment = re.search(r"answer\.gradients\.x\.value\);\s*// (\S+) (\S+)", embedding)
    assert comment is not None
    answer = client.post(
        "/api/v1/evaluate", json={"source": "3*sin(x) + x + 3", "inputs": {"x": 5}}
    ).json()
    assert (comment[1], comment[2]) == (
        json.dumps(answer["value"]),
        json.dumps(answer["gradients"]["x"]["value"]),
    )


def test_deploy_md_says_which_answers_a_cdn_may_keep(client: Any) -> None:
    deploy = " ".join((ROOT / "docs" / "deploy.md").read_text().split())
    query = {"source": "3*sin(x) + x + 3", "x": "5"}
    image = client.get("/api/v1/graph.svg", params=query)
    assert image.headers["etag"] and image.headers["cache-control"].startswith("public")
    assert f"`Cache-Control: {image.headers['cache-control']}`" in deploy
    embed = client.get("/embed", params=query)
    assert "etag" not in embed.headers
    assert (
        f"`/embed` is sent `Cache-Control: {embed.headers['cache-control']}` without an `ETag`"
        in deploy
    )
    examples = client.get("/api/v1/examples")
    assert examples.headers["etag"] and examples.headers["cache-control"] == "no-cache"
    assert "`/api/v1/examples` is sent `Cache-Control: no-cache` with an `ETag`" in deploy
    assert client.get("/").headers["cache-control"] == "no-store"
    assert "`/` is `no-store`" in deploy
