"""Fontconfig starts without the warnings of the wheel's older fontconfig
(app/graphviz/fonts.py): not in the CLI, not in a server's log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, start_server, stop_server

# The system file that the wheel's fontconfig 2.13 cannot read (Debian 12 ships it).
TEMPLATE = Path("/usr/share/fontconfig/conf.avail/05-reset-dirs-sample.conf")
needs_the_newer_template = pytest.mark.skipif(
    not TEMPLATE.exists(), reason="no newer fontconfig template to warn about on this machine"
)


def _png_in_a_fresh_process(*code: str) -> subprocess.CompletedProcess[str]:
    script = "\n".join(
        [
            *code,
            "from app.graphviz.library import library",
            "png = library().render(b'digraph { a [label=\"text\"] }', 'png', 'pango')",
            "import hashlib",
            "print(hashlib.sha256(png).hexdigest())",
        ]
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


@needs_the_newer_template
def test_the_cli_prints_no_fontconfig_warning(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "render", "3*sin(x) + x + 3", "--input", "x=5"]
        + ["-o", str(tmp_path / "graph.png")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "graph.png").read_bytes().startswith(b"\x89PNG")
    assert "Fontconfig" not in result.stderr


@needs_the_newer_template
def test_a_server_starts_and_draws_pngs_without_fontconfig_warnings(tmp_path: Path) -> None:
    server = start_server(tmp_path, name="fonts")
    try:
        with server.client() as http:
            answer = http.get("/api/v1/graph.png", params={"source": "sin(x)", "x": "1"})
        assert answer.status_code == 200
    finally:
        stop_server(server)
    assert "Fontconfig" not in server.log.read_text()


@needs_the_newer_template
def test_the_warning_is_fontconfigs_own_start() -> None:
    """The cause, shown: pango's own FcInit, without our loader, warns."""
    plain = _png_in_a_fresh_process(
        "import app.graphviz.fonts as fonts",
        "fonts.load_fontconfig = lambda loaded: False",
        "import app.graphviz.library as lib",
        "lib.load_fontconfig = fonts.load_fontconfig",
    )
    assert plain.returncode == 0, plain.stderr
    assert 'unknown element "reset-dirs"' in plain.stderr
    ours = _png_in_a_fresh_process()
    assert ours.returncode == 0, ours.stderr
    assert "Fontconfig" not in ours.stderr


def test_the_same_fonts_draw_the_same_png() -> None:
    """Loading the configuration ourselves changes no byte of a PNG."""
    plain = _png_in_a_fresh_process(
        "import app.graphviz.library as lib",
        "lib.load_fontconfig = lambda loaded: False",
    )
    ours = _png_in_a_fresh_process()
    assert plain.returncode == ours.returncode == 0, plain.stderr + ours.stderr
    assert plain.stdout == ours.stdout
