"""The gallery: the lecture's lessons in order, and data/gallery.json's placed among them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from app.api.examples import DATA, gallery_lessons
from app.evaluate import run_source


def _data(tmp_path: Path, extras: list[dict[str, object]]) -> Path:
    for name in ("seed-lessons.json", "real-code.json"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "gallery.json").write_text(json.dumps({"lessons": extras}))
    return tmp_path


def test_the_lecture_lessons_come_in_their_own_order() -> None:
    seed = [
        lesson["id"] for lesson in json.loads((DATA / "seed-lessons.json").read_text())["lessons"]
    ]
    ids = [lesson["id"] for lesson in gallery_lessons()]
    assert [i for i in ids if i in seed] == seed


def test_extras_follow_the_lesson_they_name_in_the_files_order(tmp_path: Path) -> None:
    extras: list[dict[str, object]] = [
        {"after": "linspace", "from_real_code": "verbatim-cell2-numpy-torch"},
        {"after": "linspace", "id": "mine", "title": "Mine", "source": "print(1)"},
        {"after": "sin-graph", "from_real_code": "torchviz-readme-mlp", "title": "Renamed"},
    ]
    lessons = gallery_lessons(_data(tmp_path, extras))
    ids = [lesson["id"] for lesson in lessons]
    at = ids.index("linspace")
    assert ids[at + 1 : at + 3] == ["verbatim-cell2-numpy-torch", "mine"]
    assert ids[ids.index("sin-graph") + 1] == "torchviz-readme-mlp"
    readme = lessons[ids.index("torchviz-readme-mlp")]
    assert readme["title"] == "Renamed"
    assert "nn.Sequential()" in readme["source"]  # verbatim from real-code.json


def test_the_numpy_lessons_follow_linspace_and_gradient_descent() -> None:
    ids = [lesson["id"] for lesson in gallery_lessons()]
    assert ids[ids.index("linspace") + 1] == "verbatim-cell2-numpy-torch"
    assert ids[ids.index("gradient-descent-closer") + 1] == "numpy-gradient-descent"


def test_the_plotting_cells_come_before_and_after_the_gradient_descent_lessons() -> None:
    """Cell 12 plots the objective the gradient-descent lessons use; cell 13
    plots the steps of the first of them, after NumPy's rewrite of its numbers."""
    ids = [lesson["id"] for lesson in gallery_lessons()]
    assert ids[ids.index("gradient-descent-stuck") - 1] == "verbatim-cell12-objective-plot"
    assert ids[ids.index("numpy-gradient-descent") + 1] == "verbatim-cell13-gradient-descent"


def test_every_gallery_lesson_prints_what_python_printed() -> None:
    checked = 0
    for lesson in gallery_lessons():
        expected = lesson.get("expect", {}).get("stdout")
        if expected is None:
            continue
        evaluation = run_source(lesson["source"], lesson.get("inputs"), lesson.get("output"))
        assert evaluation.stdout == expected, lesson["id"]
        checked += 1
    assert checked >= 2
