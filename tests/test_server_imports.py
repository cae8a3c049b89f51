"""The server process never runs a user program, so it need not load torch:
it stays small and starts fast, and only the worker fork server pays for torch,
Graphviz and matplotlib."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

HEAVY = ("torch", "matplotlib", "pygraphviz", "torchviz", "numpy")


def test_the_server_imports_no_heavy_library() -> None:
    code = f"import sys, app.main; print([m for m in {HEAVY!r} if m in sys.modules])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout
