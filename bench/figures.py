"""Figure cost: `.venv/bin/python -m bench.figures [--runs N]`.

The figure limits (app/evaluate/figure_args.py, figure_text.py) are sized
so that the most a program may draw is drawn in about a second, well inside
the 3 s wall time. This times, in-process, the programs that sit at each
limit (the most artists, scatters, legend entries, markers, points, image
cells, Axes, text and mathtext a program may have) and a typical one (the
notebook's objective plot with tensors): the program's run (`evaluate`)
and the drawing of all its figures as SVG (`draw`), medians of N runs.
"""

from __future__ import annotations

import argparse
import statistics
import time

from app.evaluate import run_source
from app.render.figures import answer_figures

_FRAC = "\\\\frac{" * 8 + "a" + "}{b}" * 8

PROGRAMS = {
    "typical: cell 12 with tensors": (
        "theta = torch.linspace(-5, 5, 100)\n"
        "y = theta*torch.cos(4*theta) + 2*torch.abs(theta)\n"
        "plt.figure(figsize=(12, 4))\nplt.plot(theta, y)\n"
        "plt.plot([0.0, 0.0], plt.ylim(), label='true')\nplt.legend()"
    ),
    "artists: 224 axhline, 8 figures": (
        "for i in range(8):\n    plt.figure()\n    for j in range(28):\n        plt.axhline(j)"
    ),
    "scatters: 80 calls, 8 figures": (
        "for i in range(8):\n    plt.figure()\n    for j in range(10):\n"
        "        plt.scatter([j], [j])"
    ),
    "legend: 72 entries, 8 figures": (
        "for i in range(8):\n    plt.figure()\n    for j in range(9):\n"
        "        plt.plot([j, j + 1], label='line ' + str(j))\n    plt.legend()"
    ),
    "markers: 10,000 coloured": (
        "for i in range(4):\n    plt.figure()\n    n = 2500\n"
        "    plt.scatter(torch.rand(n), torch.rand(n), c=torch.rand(n), s=torch.rand(n) * 20)"
    ),
    "points: 8 x 100,000 noise": (
        "for i in range(8):\n    plt.figure()\n    plt.plot(torch.rand(100000))"
    ),
    "bins: 8 x 30": (
        "for i in range(8):\n    plt.figure()\n    plt.hist(torch.rand(1000), bins=30)"
    ),
    "axes: 2 x (2 x 4)": "for i in range(2):\n    fig, ax = plt.subplots(2, 4)",
    "images: 240,000 cells": (
        "for i in range(2):\n    plt.figure()\n    plt.imshow(torch.rand(300, 300))\n"
        "plt.figure()\nplt.imshow(torch.rand(245, 245))"
    ),
    "text: 2,800 characters": (
        "for i in range(8):\n    plt.figure()\n    plt.plot([1])\n"
        "    plt.legend(['W' * 175])\n    plt.xlabel('W' * 175)"
    ),
    "mathtext: 3 x 300 characters": (
        f"for i in range(3):\n    plt.figure()\n    plt.plot([1, 2])\n"
        f"    plt.title('$' + str(i) + '{_FRAC}' * 3 + '$')"
    ),
}


def measure(source: str, runs: int) -> tuple[float, float, int]:
    evaluate, draw, size = [], [], 0
    for _ in range(runs):
        started = time.perf_counter()
        evaluation = run_source(source)
        ran = time.perf_counter()
        figures, _ = answer_figures(evaluation.figures, "light")
        evaluate.append(ran - started)
        draw.append(time.perf_counter() - ran)
        size = sum(len(f["svg"] or "") for f in figures)
    return statistics.median(evaluate), statistics.median(draw), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    measure(PROGRAMS["typical: cell 12 with tensors"], 1)  # matplotlib's first-use costs
    print(f"| {'program':32} | evaluate | draw (SVG) | total | SVG bytes |")
    print(f"|{'-' * 34}|---------:|-----------:|------:|----------:|")
    for name, source in PROGRAMS.items():
        evaluate, draw, size = measure(source, args.runs)
        print(
            f"| {name:32} | {evaluate * 1000:6.0f} ms | {draw * 1000:8.0f} ms "
            f"| {(evaluate + draw):4.2f} s | {size:9,} |"
        )


if __name__ == "__main__":
    main()
