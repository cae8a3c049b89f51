"""The benchmark's table: our figures, the references', the ratios, PASS or FAIL.

The targets are the issue's; each is checked on figures from one run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import growth

BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
MIB = 1 << 20
RSS_LIMIT = 350 * 10**6  # bytes: "350 MB"


@dataclass
class Row:
    measure: str
    ours: str
    reference: str
    ratio: str
    target: str
    passed: bool | None  # None: shown for context, not a target


def _ms(value: float) -> str:
    return f"{value:.2f} ms"


def _rps(value: float) -> str:
    return f"{value:,.0f}/s"


def _mb(value: float) -> str:
    return f"{value / 1e6:.0f} MB"


def rows(results: dict[str, Any]) -> list[Row]:
    found: list[Row] = []
    add = found.append
    uncached = results.get("uncached")
    if uncached:
        ours, ref, naive = (uncached[k]["p50_ms"] for k in ("ours", "pipeline", "naive"))
        add(
            Row(
                "uncached evaluate p50, 1 connection",
                _ms(ours),
                f"pipeline {_ms(ref)}",
                f"{ours / ref:.2f}x",
                "<= 1.5x",
                ours <= 1.5 * ref,
            )
        )
        add(
            Row(
                "uncached evaluate p50 against the naive pipeline (graphviz.pipe)",
                _ms(ours),
                f"naive {_ms(naive)}",
                f"{naive / ours:.1f}x faster",
                ">= 8x faster",
                naive >= 8 * ours,
            )
        )
        if "ours_torchviz" in uncached:
            same = uncached["ours_torchviz"]["p50_ms"]
            add(
                Row(
                    "same, style=torchviz (the references' drawing), for context",
                    _ms(same),
                    f"pipeline {_ms(ref)}",
                    f"{same / ref:.2f}x; naive {naive / same:.1f}x slower",
                    "",
                    None,
                )
            )
    tput = results.get("throughput")
    if tput:
        ours, ref = tput["ours"]["rps"], tput["pipeline"]["rps"]
        errors = tput["ours"]["errors"] + tput["pipeline"]["errors"]
        add(
            Row(
                "uncached evaluate, 8 connections, 2 workers",
                _rps(ours),
                f"pipeline {_rps(ref)}",
                f"{ours / ref:.2f}x",
                ">= 0.5x, no errors",
                ours >= 0.5 * ref and errors == 0,
            )
        )
    cached = results.get("cached")
    if cached:
        ours, ref = cached["ours"], cached["dict"]
        add(
            Row(
                "cached graph.svg, 32 connections, 2 workers",
                _rps(ours["rps"]),
                f"dict {_rps(ref['rps'])}",
                f"{ours['rps'] / ref['rps']:.2f}x",
                ">= 0.7x",
                ours["rps"] >= 0.7 * ref["rps"],
            )
        )
        add(
            Row(
                "cached graph.svg p99",
                _ms(ours["p99_ms"]),
                f"dict {_ms(ref['p99_ms'])}",
                "",
                "< 15 ms",
                ours["p99_ms"] < 15,
            )
        )
        add(
            Row(
                "cached graph.svg errors (socket errors and non-2xx)",
                str(ours["errors"]),
                f"dict {ref['errors']}",
                "",
                "0",
                ours["errors"] == 0,
            )
        )
    if "cold_start_s" in results:
        cold = results["cold_start_s"]
        add(Row("cold start to first evaluate", f"{cold:.2f} s", "", "", "<= 4 s", cold <= 4))
    memory = results.get("memory")
    if memory:
        kinds = (
            ("server", "server process"),
            ("evaluation", "evaluation process"),
            ("layout", "layout process"),
        )
        for kind, label in kinds:
            entries = memory.get(kind) or []
            if not entries and kind == "layout":
                continue  # runs saved before layout processes existed
            if not entries:
                add(Row(f"RSS per {label} (max)", "none found", "", "", "<= 350 MB", False))
                continue
            rss = max(e["rss"] for e in entries)
            pss = max(e["pss"] for e in entries)
            reference = memory.get("reference pipeline") or []
            ref = (
                f"pipeline {_mb(max(e['rss'] for e in reference))}"
                if reference and kind != "layout"
                else ""
            )
            add(
                Row(
                    f"RSS per {label} (max of {len(entries)})",
                    f"{_mb(rss)} (PSS {_mb(pss)})",
                    ref,
                    "",
                    "<= 350 MB",
                    rss <= RSS_LIMIT,
                )
            )
    render = results.get("render")
    if render:
        for style in ("default", "torchviz"):
            entry = render.get(style)
            if entry:
                add(
                    Row(
                        f"render 7 nodes in-process, {style} style",
                        _ms(entry["ours_ms"]),
                        f"graphviz.pipe {_ms(entry['pipe_ms'])}",
                        f"{entry['pipe_ms'] / entry['ours_ms']:.1f}x faster",
                        ">= 8x faster",
                        entry["pipe_ms"] >= 8 * entry["ours_ms"],
                    )
                )
    sizes = results.get("growth")
    if sizes and len(sizes) >= 2:
        small, big = sizes[-2], sizes[-1]
        power = growth.exponent(small, big, growth.outside_layout)
        add(
            Row(
                f"growth outside layout, {small['nodes']:,} -> {big['nodes']:,} nodes",
                f"n^{power:.2f}",
                "",
                "",
                "linear (n^1.15 at most)",
                power <= 1.15,
            )
        )
    return found


def all_passed(results: dict[str, Any]) -> bool:
    return all(row.passed is not False for row in rows(results))


def _machine(results: dict[str, Any]) -> list[str]:
    m = results["machine"]
    return [
        f"Run {results['when']}, {results.get('seconds', 0):.0f} s: {m['cpu']}, {m['cores']} cores "
        f"(shared), load average {results['load_before']:.1f} before, "
        f"{results.get('load_during', 0):.1f} during the HTTP tests, "
        f"{results.get('load_after', 0):.1f} after.",
        f"Python {m['python']}, torch {m['torch']}, Graphviz {m['graphviz_in_process']} "
        f"in-process, Debian Graphviz {m['graphviz_debian']} for the references, "
        f"uvicorn {m['uvicorn']}, FastAPI {m['fastapi']}.",
    ]


def render(results: dict[str, Any]) -> str:
    table = [
        "| measure | ours | reference | ratio | target | result |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows(results):
        verdict = "" if row.passed is None else ("PASS" if row.passed else "**FAIL**")
        table.append(
            f"| {row.measure} | {row.ours} | {row.reference} | {row.ratio} | {row.target} "
            f"| {verdict} |"
        )
    lines = [*_machine(results), "", *table]
    if results.get("growth"):
        lines += ["", "Growth (in-process, default style, one fresh interpreter per size):", ""]
        lines += growth.format_table(results["growth"])
    return "\n".join(lines)


def write_benchmarks(text: str, path: Path = BENCHMARKS) -> None:
    """Put `text` between the markers in BENCHMARKS.md."""
    content = path.read_text()
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(content):
        raise SystemExit(f"{path} has no {START} ... {END} block")
    block = f"{START}\n{text}\n{END}"
    # A function, not a template: the table's text is taken as it is.
    path.write_text(pattern.sub(lambda _: block, content, count=1))
