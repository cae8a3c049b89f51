from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_help_lists_the_verbs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0
    for verb in ("serve", "render", "eval"):
        assert verb in result.stdout
