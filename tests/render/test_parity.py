"""style=torchviz against torchviz.make_dot itself: same drawing, same statements.

Over every seed lesson (through the real evaluate stage) and the programs of
tests/graph/programs.py, with and without show_saved and show_attrs. Where
make_dot itself cannot draw (saved tensors freed by the program's own
backward()), ours must still draw.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import torchviz

from app.evaluate import run_source
from app.evaluate.result import Evaluation
from app.graph import build_graph
from app.job import RenderOptions
from app.render import render, to_dot
from tests.conftest import lessons
from tests.graph import programs
from tests.graph.evaluations import evaluation_of
from tests.render.parity import canonical, drawing, make_dot_source

TORCHVIZ = RenderOptions(style="torchviz")
VARIANTS: list[dict[str, bool]] = [
    {},
    {"show_saved": True},
    {"show_attrs": True},
    {"show_saved": True, "show_attrs": True},
]


def assert_parity(evaluation: Evaluation, flags: dict[str, bool]) -> None:
    graph = build_graph(evaluation, **flags)
    ours = to_dot(graph, TORCHVIZ)
    try:
        reference = make_dot_source(evaluation, **flags)
    except RuntimeError as error:
        # make_dot reads saved tensors the program's backward() freed.
        assert "backward through the graph a second time" in str(error)
        assert render(graph, TORCHVIZ, "svg").startswith(b"<svg")
        return
    theirs, mine = drawing(reference), drawing(ours)
    assert mine.nodes == theirs.nodes
    assert mine.edges == theirs.edges
    assert mine.node_defaults == theirs.node_defaults
    assert mine.graph_attrs == theirs.graph_attrs
    assert canonical(ours) == canonical(reference)


@pytest.mark.parametrize("flags", VARIANTS, ids=lambda f: "+".join(f) or "plain")
@pytest.mark.parametrize("lesson", lessons(), ids=lambda lesson: lesson["id"])
def test_seed_lessons(lesson: dict[str, Any], flags: dict[str, bool]) -> None:
    evaluation = run_source(lesson["source"], lesson.get("inputs"), lesson.get("output"))
    assert_parity(evaluation, flags)
    expected = lesson["expect"].get("op_labels")
    if expected is not None:
        graph = build_graph(evaluation, **flags)
        assert Counter(n.label for n in graph.nodes if n.kind == "op") == expected


@pytest.mark.parametrize("flags", VARIANTS, ids=lambda f: "+".join(f) or "plain")
@pytest.mark.parametrize("name", sorted(programs.PROGRAMS))
def test_programs(name: str, flags: dict[str, bool]) -> None:
    evaluation = evaluation_of(programs.PROGRAMS[name], backward=name not in programs.OWN_BACKWARD)
    assert_parity(evaluation, flags)


# Another name for a leaf: an alias, a function's parameter, a name the loop
# rebinds. Found by differential testing: the leaf was drawn with its last
# name, where SPEC names a tensor by the first (and the JSON model did).
ALIASES = {
    "alias": "b = x\ny = b * 2 + x\ny",
    "parameter": "def f(a, k):\n    return a * k + a\ny = f(x, 3)\ny",
    "loop": "h = x\nfor i in range(2):\n    h = h * (h + 1)\ny = h\ny",
    "tuple": "h, g = x, x * 2\nh, g = h * g, h + g\ny = h + g\ny",
}


@pytest.mark.parametrize("source", ALIASES.values(), ids=ALIASES.keys())
def test_a_leaf_is_drawn_with_its_first_name(source: str) -> None:
    evaluation = run_source(source, {"x": 1.5})
    x = evaluation.named_tensors["x"]
    # make_dot as the notebook calls it: the leaf under the name it was made with.
    reference = torchviz.make_dot(evaluation.output, params={"x": x}).source
    ours = to_dot(build_graph(evaluation), TORCHVIZ)
    assert canonical(ours) == canonical(reference)
    assert '"x\n ()"' in ours


def test_rankdir_lr_is_the_one_addition() -> None:
    evaluation = evaluation_of(programs.sin)
    graph = build_graph(evaluation)
    lr = to_dot(graph, RenderOptions(style="torchviz", rankdir="LR"))
    assert drawing(lr).graph_attrs["rankdir"] == "LR"
    tb = to_dot(graph, TORCHVIZ)
    assert lr.replace("rankdir=LR ", "") == tb


def test_parity_checks_can_fail() -> None:
    # The comparison sees a changed colour, a lost edge and a renamed node.
    evaluation = evaluation_of(programs.sin)
    reference = make_dot_source(evaluation)
    ours = to_dot(build_graph(evaluation), TORCHVIZ)
    for broken in (
        ours.replace("lightblue", "orange"),
        ours.replace("\tn6 -> n2\n", ""),
        ours.replace("label=SinBackward0", "label=CosBackward0"),
    ):
        assert broken != ours
        assert canonical(broken) != canonical(reference)
        theirs, mine = drawing(reference), drawing(broken)
        assert (mine.nodes, mine.edges) != (theirs.nodes, theirs.edges)
