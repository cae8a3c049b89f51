"""`python -m app render --figures DIR`: a program's figures, as the server serves them."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import LiveServer
from tests.test_cli import app

PLOTS = """x = torch.linspace(-5, 5, 100)
plt.figure(figsize=(12, 4))
plt.plot(x, x * torch.cos(4 * x), 'o-', label='objective')
plt.legend()
fig, axes = plt.subplots(1, 2)
axes[0].hist(torch.cos(x), bins=10)
axes[1].set_title('empty')
y = (x ** 2).sum()
"""


def test_render_writes_each_figure_as_the_server_answers_it(
    live_server: LiveServer, tmp_path: Path
) -> None:
    program = tmp_path / "plots.py"
    program.write_text(PLOTS)
    figures = tmp_path / "figures"
    for fmt in ("svg", "png"):
        result = app(
            "render", str(program), "-o", str(tmp_path / "graph.svg"),
            "--figures", str(figures), "--figure-format", fmt,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        with live_server.client() as http:
            for n in (0, 1):
                served = http.get(f"/api/v1/figure.{fmt}", params={"source": PLOTS, "n": n})
                assert served.status_code == 200
                assert (figures / f"figure-{n}.{fmt}").read_bytes() == served.content
        assert not (figures / f"figure-2.{fmt}").exists()
    assert (tmp_path / "graph.svg").read_bytes().startswith(b"<svg")


def test_a_folder_writes_each_programs_figures_beside_the_others(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    (lessons / "part").mkdir(parents=True)
    (lessons / "plots.py").write_text(PLOTS)
    (lessons / "part" / "graph.py").write_text("x = torch.ones(2, requires_grad=True)\ny = x.sum()")
    out, figures = tmp_path / "site", tmp_path / "figures"
    result = app("render", str(lessons), "-o", str(out), "--figures", str(figures))
    assert result.returncode == 0, result.stderr
    assert sorted(p.relative_to(figures).as_posix() for p in figures.rglob("*")) == [
        "plots",
        "plots/figure-0.svg",
        "plots/figure-1.svg",
    ]
    assert (out / "part" / "graph.svg").exists()


def test_a_figure_that_cannot_be_drawn_fails_with_the_reason(tmp_path: Path) -> None:
    result = app("render", "plt.plot([1e308, -1e308])", "--figures", str(tmp_path))
    assert result.returncode == 1
    assert b"render_error: matplotlib cannot draw it" in result.stderr
