"""Schemathesis against /openapi.json of a real server: zero 5xx, answers as documented.

`positive_data_acceptance` is left out on purpose: a schema-valid request
may still hold a program that is wrong (a syntax error is a valid string).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT, LiveServer

# Fuzzing is bounded by its example counts, and in time here, for CI.
pytestmark = pytest.mark.timeout(240)


def test_openapi_fuzzing_finds_no_server_error(live_server: LiveServer) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{live_server.url}/openapi.json",
            "--max-examples",
            "150",
            "--seed",
            "20261127",
            "--exclude-checks",
            "positive_data_acceptance",
            "--generation-database",
            "none",
            "--request-timeout",
            "10",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
