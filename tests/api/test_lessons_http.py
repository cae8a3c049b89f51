"""Every lesson of the notebook through a real uvicorn server and the JSON API."""

from __future__ import annotations

from typing import Any

import pytest

from app.api.examples import gallery_lessons
from tests.api.answers import check_lesson_answer
from tests.conftest import LiveServer, lessons

LESSONS = lessons()


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson["id"] for lesson in LESSONS])
def test_lesson_through_the_api(live_server: LiveServer, lesson: dict[str, Any]) -> None:
    body = {"source": lesson["source"], "inputs": lesson.get("inputs", {})}
    if lesson.get("output"):
        body["output"] = lesson["output"]
    with live_server.client() as http:
        response = http.post("/api/v1/evaluate", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    check_lesson_answer(answer, lesson)
    assert answer["svg"] is None or answer["svg"].startswith("<svg")
    assert set(answer) >= {"value", "shape", "dtype", "gradients", "graph", "svg", "stdout"}


def test_lessons_are_the_gallery(live_server: LiveServer) -> None:
    with live_server.client() as http:
        examples = http.get("/api/v1/examples").json()["examples"]
    # The lecture's lessons and data/gallery.json's, placed among them.
    assert [e["id"] for e in examples] == [lesson["id"] for lesson in gallery_lessons()]
    assert [e["id"] for e in examples if e["id"] in {known["id"] for known in LESSONS}] == [
        lesson["id"] for lesson in LESSONS
    ]
    assert all(e["source"] and e["title"] for e in examples)
