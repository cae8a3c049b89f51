"""The gallery's own lessons (data/gallery.json) print what Python printed for them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.api.examples import DATA
from app.evaluate import run_source

OWN = [
    lesson
    for lesson in json.loads((DATA / "gallery.json").read_text())["lessons"]
    if "source" in lesson and "stdout" in lesson.get("expect", {})
]


@pytest.mark.parametrize("lesson", OWN, ids=[lesson["id"] for lesson in OWN])
def test_the_lesson_prints_what_python_printed(lesson: dict[str, Any]) -> None:
    evaluation = run_source(lesson["source"], lesson.get("inputs"), lesson.get("output"))
    assert evaluation.stdout == lesson["expect"]["stdout"]
    assert evaluation.warnings == []


def test_issue_20s_lessons_are_in_the_gallery() -> None:
    ids = {lesson["id"] for lesson in OWN}
    assert {"hook-doubles-gradient", "custom-function-exp", "torch-func-grad"} <= ids
