"""Starting, watching and stopping the servers the benchmark measures.

Every server runs in a session of its own (its own process group), so
stopping it reaches its uvicorn workers too; our evaluation processes die
with their parents (PR_SET_PDEATHSIG). Memory comes from /proc.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.client import Connection

ROOT = Path(__file__).resolve().parent.parent
UVICORN_FLAGS = ["--log-level", "info", "--timeout-keep-alive", "5"]  # as `python -m app serve`


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    launched: float  # time.monotonic() just before Popen
    log: Path
    notes: dict[str, float] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def launch(
    name: str, command: list[str], log_dir: Path, env: dict[str, str] | None = None
) -> Server:
    port = free_port()
    log = log_dir / f"{name}.log"
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **(env or {})}
    with log.open("wb") as out:
        launched = time.monotonic()
        process = subprocess.Popen(
            [arg.replace("{port}", str(port)) for arg in command],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name, port, process, launched, log)


def uvicorn(name: str, app: str, workers: int, log_dir: Path) -> Server:
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", "{port}"]
    return launch(name, [*command, "--workers", str(workers), *UVICORN_FLAGS], log_dir)


def ours(workers: int, log_dir: Path) -> Server:
    command = [sys.executable, "-m", "app", "serve", "--port", "{port}", "--workers", str(workers)]
    return launch("ours", command, log_dir)


def wait_for(
    server: Server, method: str, path: str, body: bytes = b"", timeout: float = 120.0
) -> float:
    """Poll until `method path` answers 200; the seconds since the launch."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited:\n{server.log.read_text()[-3000:]}")
        try:
            with Connection("127.0.0.1", server.port, timeout=10) as http:
                status, _ = http.request(method, path, body)
            if status == 200:
                return time.monotonic() - server.launched
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"{server.name} did not answer {path} within {timeout:g} s")


def stop(server: Server) -> None:
    """SIGTERM to the server's process group, SIGKILL after 20 s."""
    if server.process.poll() is None:
        try:
            os.killpg(server.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.process.pid, signal.SIGKILL)  # stragglers of the group
    except ProcessLookupError:
        pass
    server.process.wait()


# -- memory --------------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def descendants(pid: int) -> list[int]:
    tree = _children()
    found: list[int] = []
    stack = [pid]
    while stack:
        for child in tree.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes; (0, 0) if the process has gone."""
    fields: dict[str, int] = {}
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
    except OSError:
        return 0, 0
    for line in lines:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) * 1024
    return fields.get("Rss", 0), fields.get("Pss", 0)


def process_kinds(server: Server) -> dict[str, list[int]]:
    """Our server's processes by role: the uvicorn supervisor, the server processes
    (uvicorn workers), their fork servers, the evaluation processes and
    their layout processes (app/graphviz/process.py)."""
    tree = _children()
    kinds: dict[str, list[int]] = {
        "supervisor": [server.process.pid],
        "server": [],
        "fork server": [],
        "evaluation": [],
        "layout": [],
    }
    for pid in tree.get(server.process.pid, []):
        if "spawn_main" not in cmdline(pid):
            continue  # multiprocessing's resource tracker
        kinds["server"].append(pid)
        for child in tree.get(pid, []):
            if "app.workers.forkserver" in cmdline(child):
                kinds["fork server"].append(child)
                for worker in tree.get(child, []):
                    kinds["evaluation"].append(worker)
                    kinds["layout"].extend(
                        pid
                        for pid in tree.get(worker, [])
                        if "app.graphviz.process" in cmdline(pid)
                    )
    return kinds
