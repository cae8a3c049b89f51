"""The service: which errors it keeps, and the build its ETags carry."""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from app.api.graph import entity_tag
from app.errors import (
    InvalidRequest,
    LimitExceeded,
    NotAllowed,
    RenderFailed,
    SourceSyntaxError,
    UserRuntimeError,
    VisualizerError,
)
from app.job import Job, RenderOptions
from app.limits import MACHINE_LIMITS, Limits
from app.query import job_from_query
from app.service import (
    Service,
    build_id,
    build_parts,
    code_digest,
    fingerprint,
    is_the_requests_own,
)
from app.settings import Settings
from app.workers import PoolBusy, WorkerCrashed, WorkerError
from tests.conftest import ROOT

SPIN = "for i in range(10**9):\n    i = i + 1"
# About 450 nodes in loop boxes: its layout takes far longer than 50 ms.
BIG_GRAPH = "w = x\nfor i in range(150):\n    w = w * 1.01 + i\ny = w"
EXPANDED = RenderOptions(loops="expanded")  # drawn whole (collapsed, it lays out at once)


def limit(name: str) -> LimitExceeded:
    return LimitExceeded(name, 1, f"over the {name} limit")


@pytest.mark.parametrize(
    "error",
    [
        SourceSyntaxError("x +", line=1, column=3),
        NotAllowed("import os", line=1, column=1),
        UserRuntimeError("shapes differ", line=1, column=1),
        InvalidRequest("inputs: not a number"),
        RenderFailed("Graphviz crashed"),
        *(limit(name) for name in ("steps", "tensor_elements", "total_elements", "call_depth")),
        *(limit(name) for name in ("graph_nodes", "source_chars", "nesting_depth", "int_bits")),
    ],
    ids=repr,
)
def test_the_requests_own_errors_are_kept(error: VisualizerError) -> None:
    assert is_the_requests_own(error)


@pytest.mark.parametrize(
    "error",
    [
        *(limit(name) for name in sorted(MACHINE_LIMITS)),
        PoolBusy("busy"),
        WorkerCrashed("died"),
        WorkerError("a bug"),
    ],
    ids=repr,
)
def test_errors_of_the_machine_are_not_kept(error: VisualizerError) -> None:
    assert not is_the_requests_own(error)


def test_machine_limits_are_limits_that_exist() -> None:
    # Limits names the settings (wall_time_s); the errors name the limit without its unit.
    fields = {name.removesuffix("_s") for name in Limits.__dataclass_fields__}
    assert MACHINE_LIMITS <= fields


def test_only_errors_of_the_request_are_answered_again_from_memory() -> None:
    """Through a real pool: a program out of wall time or render time reaches
    a worker every time it is asked for; a syntax error or an element limit
    reaches one once."""
    service = Service(Settings(pool_size=1, wall_time_s=1.0, render_time_s=0.001, steps=10**12))

    async def attempt(job: Job, kind: str) -> LimitExceeded | VisualizerError:
        with pytest.raises(VisualizerError) as caught:
            await service.run(job, kind)
        return caught.value

    async def scenario() -> dict[str, Any]:
        await service.start()
        try:
            seen: dict[str, Any] = {}
            spin = Job(source=SPIN)
            before = service.pool.stats().timeouts
            errors = [await attempt(spin, "evaluate") for _ in range(2)]
            seen["wall_time"] = (errors, service.pool.stats().timeouts - before)

            big = Job(source=BIG_GRAPH, inputs={"x": 1.0}, format="svg", options=EXPANDED)
            before = service.pool.stats().served
            errors = [await attempt(big, "image") for _ in range(2)]
            seen["render_time"] = (errors, service.pool.stats().served - before)
            # An evaluation answers without the drawing it ran out of time for:
            # an answer the load shaped, not kept either.
            before = service.pool.stats().served
            answers = [json.loads((await service.run(big, "evaluate")).body) for _ in range(2)]
            seen["undrawn"] = (answers, service.pool.stats().served - before)

            for name, job in (
                ("syntax", Job(source="x +")),
                ("elements", Job(source="torch.ones(10**8)")),
            ):
                before = service.pool.stats().served
                errors = [await attempt(job, "evaluate") for _ in range(2)]
                seen[name] = (errors, service.pool.stats().served - before)
            return seen
        finally:
            await service.close()

    seen = asyncio.run(scenario())
    for name in ("wall_time", "render_time"):
        errors, reached = seen[name]
        assert [(e.code, getattr(e, "limit", None)) for e in errors] == [
            ("limit_exceeded", name)
        ] * 2, errors
        assert reached == 2, name  # asked again, run again
    answers, reached = seen["undrawn"]
    assert reached == 2
    for answer in answers:
        assert answer["svg"] is None and answer["graph"]["nodes"]
        assert any("not drawn" in warning for warning in answer["warnings"])
    errors, reached = seen["syntax"]
    assert [e.code for e in errors] == ["syntax_error"] * 2 and reached == 1
    errors, reached = seen["elements"]
    assert [getattr(e, "limit", None) for e in errors] == ["tensor_elements"] * 2
    assert reached == 1


def test_a_kept_error_holds_nothing_of_its_request() -> None:
    """An error answered again from memory is the same error, a new exception
    each time; what is kept is its description, not the exception, whose
    traceback would keep the frames of the request that raised it (its job,
    its body) for as long as the entry lives."""
    service = Service(Settings(pool_size=1))
    padding = "#" + "p" * 15_000 + "\n"  # each request's source: about 15 KB
    seen: list[tuple[Any, ...]] = []

    async def errors(count: int) -> None:
        for index in range(count):
            caught: list[VisualizerError] = []
            for _ in range(2):
                try:
                    await service.run(Job(source=f"{padding}x = {index}\ny = x +"), "evaluate")
                except VisualizerError as exc:
                    caught.append(exc)
            first, second = caught
            # What the test keeps of them: their description, not the objects.
            seen.append((second is first, type(first), type(second), first.to_dict()))
            seen.append((second.to_dict(), second.line, second.column))
            del caught, first, second

    async def scenario() -> int:
        await service.start()
        try:
            await errors(5)  # the pool and the caches warmed up
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.take_snapshot()
            await errors(60)
            gc.collect()
            after = tracemalloc.take_snapshot()
            tracemalloc.stop()
            return sum(stat.size_diff for stat in after.compare_to(before, "filename"))
        finally:
            await service.close()

    retained = asyncio.run(scenario())
    # 60 requests of 15 KB: none of them is kept (the descriptions are).
    assert retained < 300_000, retained
    for (same, first_type, second_type, first), (second, line, column) in zip(
        seen[0::2], seen[1::2], strict=True
    ):
        assert not same
        assert first_type is second_type is SourceSyntaxError
        assert second == first and (line, column) == (3, 8)  # after `y = x +`


def test_the_build_names_what_draws() -> None:
    """The versions are the installed libraries' own, read without importing them."""
    import matplotlib
    import numpy
    import pygraphviz
    import torch

    from app import __version__

    parts = build_parts()
    assert parts["app"] == __version__
    assert parts["torch"] == torch.__version__
    assert parts["pygraphviz"] == pygraphviz.__version__
    assert parts["matplotlib"] == matplotlib.__version__
    assert parts["numpy"] == numpy.__version__
    # The Graphviz library this process loaded (with pygraphviz) is the one named.
    maps = Path("/proc/self/maps").read_text().split()
    loaded = {Path(entry).name for entry in maps if "/libgvc" in entry}
    assert loaded and loaded <= set(parts["graphviz-build"].split()), loaded
    assert build_id() == fingerprint(parts)


def test_any_part_of_the_build_changes_the_etag() -> None:
    parts = build_parts()
    key = Job(source="x + 1", inputs={"x": 1}).key()
    etags = {entity_tag(key, fingerprint(parts))}
    for name in parts:
        etags.add(entity_tag(key, fingerprint({**parts, name: parts[name] + "+1"})))
    assert len(etags) == len(parts) + 1
    for etag in etags:
        assert etag.startswith(f'"{key}-') and etag.endswith('"') and etag.count('"') == 2


def test_the_code_digest_follows_the_code(tmp_path: Path) -> None:
    (tmp_path / "render").mkdir()
    (tmp_path / "render" / "svg.py").write_text("WIDTH = 1\n")
    (tmp_path / "notes.txt").write_text("not code")
    first = code_digest(tmp_path)
    (tmp_path / "notes.txt").write_text("still not code")
    assert code_digest(tmp_path) == first
    (tmp_path / "render" / "svg.py").write_text("WIDTH = 2\n")
    assert code_digest(tmp_path) != first


def test_the_build_is_the_same_in_every_process_and_imports_nothing_heavy() -> None:
    heavy = ("torch", "matplotlib", "pygraphviz", "graphviz", "numpy")
    code = (
        "import sys; from app.service import build_id; print(build_id()); "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    results = [
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split("\n")
        for _ in range(2)
    ]
    assert results[0][0] == results[1][0] == build_id()
    assert results[0][1] == "[]"


def test_served_etags_carry_the_build(client: Any) -> None:
    params = {"source": "x * 2  # etag-build", "x": "3"}
    response = client.get("/api/v1/graph.svg", params=params)
    assert response.status_code == 200
    key = job_from_query(list(params.items()), fmt="svg").key()
    assert response.headers["etag"] == entity_tag(key, build_id())
