"""The figures in the answers app.pipeline makes: within the answer's byte limit."""

from __future__ import annotations

import json

import pytest

from app.errors import LimitExceeded
from app.job import FigureJob, Job
from app.limits import Limits
from app.pipeline import figure_answer, run_job

# A figure of about 230 KB of SVG (100,000 points of noise), then a small one.
BIG = "plt.plot(torch.rand(100000))\nplt.figure()\nplt.plot([1, 2, 3])\ny = 1"


def test_a_figure_past_the_answers_limit_is_left_out_and_said() -> None:
    limits = Limits(answer_bytes=180_000)
    answer = json.loads(run_job(Job(source=BIG), "evaluate", limits))
    big, small = answer["figures"]
    assert big["svg"] is None and big["title"] == "Figure 1"
    assert small["svg"] and small["svg"].startswith("<svg")
    # figure.svg?n=0 would refuse it too (below): the warning does not send the reader there.
    (said,) = [w for w in answer["warnings"] if w.startswith("Figure 1 is not drawn here")]
    assert "draws it alone" not in said
    whole = json.loads(run_job(Job(source=BIG), "evaluate", Limits()))
    assert whole["figures"][0]["svg"] and whole["figures"][1] == small
    # Within a limit it fits alone, though not after the rest of the answer: sent there.
    fits = Limits(answer_bytes=len(json.dumps(whole["figures"][0])) + 2_000)
    answer = json.loads(run_job(Job(source="print('A' * 20000)\n" + BIG), "evaluate", fits))
    assert answer["figures"][0]["svg"] is None
    assert any(w.endswith("n=0 draws it alone.") for w in answer["warnings"])


def test_a_figure_alone_past_the_limit_is_answer_bytes() -> None:
    job = Job(source=BIG, format=None)
    with pytest.raises(LimitExceeded) as caught:
        figure_answer(FigureJob(job=job, n=0), Limits(answer_bytes=180_000))
    assert caught.value.limit == "answer_bytes"
    assert figure_answer(FigureJob(job=job, n=1), Limits(answer_bytes=180_000)).startswith(b"<svg")


def test_the_page_summary_draws_no_figure() -> None:
    answer = json.loads(run_job(Job(source=BIG), "page"))
    assert [f["svg"] for f in answer["figures"]] == [None, None]
    assert [f["title"] for f in answer["figures"]] == ["Figure 1", "Figure 2"]
