"""Draw a 2,000 x 2,000 PNG figure in a fork of a fresh process whose address
space is nearly full (tests/limited_fork.py); print what figure_bytes
raised, as JSON (tests/render/test_figures.py)."""

from __future__ import annotations

import json

from app.errors import LimitExceeded
from app.evaluate import run_source
from app.limits import Limits
from app.render.figures import figure_bytes
from tests.limited_fork import in_a_limited_fork

LIMIT = Limits(memory_bytes=256 << 20)  # what the request ran under, not the default


def _outcome() -> list[str]:
    (figure,) = run_source("plt.figure(figsize=(20, 20))\nplt.plot([1, 2])").figures

    def work() -> list[str]:
        try:
            figure_bytes(figure, "png", "light", LIMIT)
            return ["drawn", ""]
        except LimitExceeded as exc:
            return [exc.limit, str(exc.value)]

    outcome, _ = in_a_limited_fork(work, 1 << 20, 30)  # the PNG needs 16 MiB
    return outcome if outcome is not None else ["crashed", ""]


if __name__ == "__main__":
    print(json.dumps(_outcome()))
