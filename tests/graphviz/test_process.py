"""The layout process: real Graphviz in a real second interpreter, its life
and death beside the process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.graphviz.library import LayoutError, library
from app.graphviz.process import MEMORY_BYTES, LayoutCrashed, LayoutProcess, LayoutTimeout
from tests.workers.procs import descendants, exists

SMALL = b'digraph { a [label=<<B>a</B>>]; subgraph cluster_0 { a -> b } b -> c [label="1.0"] }'
# Seconds of mincross (1.6 s at 120 links here): long enough to be stopped
# or killed mid-way.
LONG = (
    "digraph {" + " ".join(f"n{i} -> n{i + 1}; n{i} -> n{i * 7 % 100};" for i in range(150)) + "}"
).encode()


@pytest.fixture
def process() -> Iterator[LayoutProcess]:
    started = LayoutProcess()
    yield started
    started.stop()


def later(seconds: float) -> float:
    return time.monotonic() + seconds


def gone_within(pid: int, seconds: float) -> bool:
    deadline = later(seconds)
    while exists(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not exists(pid)


def test_it_answers_what_this_process_would_in_each_format_and_measure(
    process: LayoutProcess,
) -> None:
    for fmt, measure in (("svg", "metrics"), ("svg", "pango"), ("png", "pango")):
        here = library().render(SMALL, fmt, measure)  # type: ignore[arg-type]
        assert process.layout(SMALL, fmt, measure, later(10)) == here  # type: ignore[arg-type]
    assert process.pid in descendants()


def test_one_process_serves_layout_after_layout(process: LayoutProcess) -> None:
    first = process.layout(SMALL, "svg", "metrics", later(10))
    pid = process.pid
    for _ in range(20):
        assert process.layout(SMALL, "svg", "metrics", later(10)) == first
    assert process.pid == pid


def test_dot_graphviz_refuses_is_a_layout_error_and_the_process_lives_on(
    process: LayoutProcess,
) -> None:
    process.start()
    pid = process.pid
    with pytest.raises(LayoutError, match="could not read"):
        process.layout(b"digraph { a -> }", "svg", "metrics", later(10))
    assert process.pid == pid
    assert process.layout(SMALL, "svg", "metrics", later(10)).startswith(b"<?xml")


def test_the_deadline_kills_the_process_and_the_next_layout_starts_another(
    process: LayoutProcess,
) -> None:
    process.start()
    pid = process.pid
    assert pid is not None
    started = time.monotonic()
    with pytest.raises(LayoutTimeout):
        process.layout(LONG, "svg", "metrics", later(0.3))
    assert time.monotonic() - started < 1.5
    assert process.pid is None and not exists(pid)  # killed and reaped: no zombie
    assert process.layout(SMALL, "svg", "metrics", later(10)).startswith(b"<?xml")
    assert process.pid not in (None, pid)


def test_a_process_that_dies_mid_layout_is_a_crash_and_is_replaced(
    process: LayoutProcess,
) -> None:
    process.start()
    pid = process.pid
    assert pid is not None
    # SIGABRT, as Graphviz's failed assertions end it, once it is at work.
    killer = threading.Timer(0.5, os.kill, (pid, signal.SIGABRT))
    killer.start()
    try:
        with pytest.raises(LayoutCrashed):
            process.layout(LONG, "svg", "metrics", later(30))
    finally:
        killer.cancel()
    assert not exists(pid)
    assert process.layout(SMALL, "svg", "metrics", later(10)).startswith(b"<?xml")


def test_a_process_that_died_between_layouts_is_replaced_without_a_crash(
    process: LayoutProcess,
) -> None:
    process.start()
    pid = process.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert gone_within(pid, 5) or process.pid is None
    assert process.layout(SMALL, "svg", "metrics", later(10)).startswith(b"<?xml")
    assert process.pid != pid


def test_it_caps_its_own_address_space(process: LayoutProcess) -> None:
    process.layout(SMALL, "svg", "metrics", later(10))  # warm: the cap is set
    limits = Path(f"/proc/{process.pid}/limits").read_text().splitlines()
    soft = next(line for line in limits if line.startswith("Max address space")).split()[3]
    assert soft != "unlimited"
    assert MEMORY_BYTES < int(soft) < MEMORY_BYTES + (512 << 20)


def test_it_dies_with_the_process_that_started_it(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import os, signal, sys, time
        from app.graphviz.process import LayoutProcess
        process = LayoutProcess()
        process.start()
        print(process.pid, flush=True)
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGKILL)  # no atexit, no cleanup
        """
    )
    root = Path(__file__).resolve().parents[2]
    parent = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=30
    )
    assert parent.returncode == -signal.SIGKILL, parent.stderr
    orphan = int(parent.stdout.split()[0])
    assert gone_within(orphan, 5)


def test_a_forked_child_leaves_its_parents_process_alone(process: LayoutProcess) -> None:
    process.start()
    pid = process.pid
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through its exit status
        status = 1
        try:
            process.forget_after_fork()
            ok = process.pid is None
            ok = ok and process.layout(SMALL, "svg", "metrics", later(10)).startswith(b"<?xml")
            ok = ok and process.pid != pid
            process.stop()
            status = 0 if ok else 2
        finally:
            os._exit(status)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert process.pid == pid
    assert process.layout(SMALL, "svg", "metrics", later(10)).startswith(b"<?xml")


def test_a_process_that_cannot_start_is_a_crash_not_an_error_of_ours(
    process: LayoutProcess, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    process.start()  # quietly: the layout that needs it will say why
    assert process.pid is None
    with pytest.raises(LayoutCrashed, match="could not start"):
        process.layout(SMALL, "svg", "metrics", later(10))
