"""Running wrk (Debian's /usr/bin/wrk) and reading its report."""

from __future__ import annotations

import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

WRK = "/usr/bin/wrk"
LUA = Path(__file__).resolve().parent / "lua"
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float | None
    p99_ms: float | None
    errors: int  # socket errors of every kind, and non-2xx/3xx answers
    non_2xx: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _duration(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse(output: str) -> WrkResult:
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not done or not rps:
        raise ValueError(f"unexpected wrk output:\n{output}")
    latency = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)$", output, re.MULTILINE))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    bad = int(non_2xx.group(1)) if non_2xx else 0
    return WrkResult(
        requests=int(done.group(1)),
        seconds=float(done.group(2)) * _UNITS[done.group(3)],
        rps=float(rps.group(1)),
        p50_ms=_duration(latency["50"]) * 1e3 if "50" in latency else None,
        p99_ms=_duration(latency["99"]) * 1e3 if "99" in latency else None,
        errors=errors + bad,
        non_2xx=bad,
    )


def run(
    url: str,
    *,
    threads: int,
    connections: int,
    seconds: float,
    script: str | None = None,
    script_args: tuple[str, ...] = (),
) -> WrkResult:
    # wrk takes whole seconds.
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    if script:
        command += ["-s", str(LUA / script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)
    return parse(done.stdout)
