"""Draw a 2,000 x 2,000 PNG figure in a fork of a fresh process whose address
space is nearly full; print what figure_bytes raised, as JSON
(tests/render/test_figures.py).

A fresh process, not the test's: one that has run hundreds of tests has
room to spare inside its mappings, and the limit would never be reached.
"""

from __future__ import annotations

import json
import os

from app.errors import LimitExceeded
from app.evaluate import run_source
from app.limits import Limits
from app.process_bounds import limit_address_space
from app.render.figures import figure_bytes

LIMIT = Limits(memory_bytes=256 << 20)  # what the request ran under, not the default


def _outcome() -> list[str]:
    (figure,) = run_source("plt.figure(figsize=(20, 20))\nplt.plot([1, 2])").figures
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.close(read)
        try:
            limit_address_space(1 << 20)  # the PNG needs 16 MiB
            try:
                figure_bytes(figure, "png", "light", LIMIT)
                outcome = ["drawn", ""]
            except LimitExceeded as exc:
                outcome = [exc.limit, str(exc.value)]
            except BaseException as exc:
                outcome = [type(exc).__name__, str(exc)]
            os.write(write, json.dumps(outcome).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    found: list[str] = json.loads(data) if data else ["crashed", ""]
    return found


if __name__ == "__main__":
    print(json.dumps(_outcome()))
