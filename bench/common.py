"""Helpers shared by the benchmarks: serving with gunicorn, loading with wrk, reporting."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict, *, workers: int = 2, threads: int = 4, cwd: Path = ROOT,
             log: Path | None = None):
    """Serve ``app`` as the Procfile's web process does, on a free loopback port; its output
    (the access lines of production's JSON logs) into ``log`` if given."""
    port = free_port()
    output = open(log, "a") if log else None  # noqa: SIM115  (closed below)
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--log-level", "warning"],
        cwd=cwd, env={**os.environ, **env}, stdout=output, stderr=output,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"{app} did not start")
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        if output:
            output.close()


def cpu_seconds(*needles: str) -> float:
    """CPU time (user + system) used so far by the live processes whose command line holds
    every one of ``needles``: what a load costs the web server or the database, on a machine
    whose throughput figures move with whatever else it runs."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                command = file.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/stat") as file:
                fields = file.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if all(needle in command for needle in needles):
            total += int(fields[11]) + int(fields[12])
    return total / tick


def session_cookie(url: str) -> str:
    """The cookie a browser holds after its first page (the shop's session, with its CSRF
    secret): later pages then cost what they cost a returning visitor."""
    with urllib.request.urlopen(url, timeout=30) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    return "; ".join(c.split(";", 1)[0] for c in cookies)


def wrk(url: str, *, connections: int = 32, seconds: int = 10, threads: int = 2,
        cookie: str = "", headers: dict | None = None, script: Path | None = None,
        script_env: dict | None = None) -> dict:
    """Load ``url`` from a second process; requests/s and latency percentiles in ms.

    ``headers`` go with every request (e.g. a bearer token); ``script`` is a wrk Lua script
    (e.g. one that picks each request's path), reading ``script_env`` from its environment."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    headers = {**(headers or {}), **({"Cookie": cookie} if cookie else {})}
    # Steady state: every gunicorn worker has filled its page cache (cold renders are measured
    # separately by cold_ms).
    for _ in range(40):
        urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30).read()
    options = [option for name, value in headers.items() for option in ("-H", f"{name}: {value}")]
    if script:
        options += ["-s", str(script)]
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", *options, url],
        capture_output=True, text=True, check=True, env={**os.environ, **(script_env or {})},
    ).stdout
    def latency(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def cold_ms(url: str, *, samples: int = 15) -> float:
    """Median time of a page rendered from scratch (a query parameter nobody else uses makes
    every request a page-cache miss), sequential, on an otherwise idle server."""
    times = []
    separator = "&" if "?" in url else "?"
    for n in range(samples):
        started = time.perf_counter()
        urllib.request.urlopen(f"{url}{separator}_cold={time.time_ns()}{n}", timeout=60).read()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2]


def wrk_median(url: str, *, runs: int = 3, **kwargs) -> dict:
    """The median of ``runs`` wrk runs (by requests/s): one busy moment on a shared 2-core
    machine should not decide a figure either way."""
    results = sorted((wrk(url, **kwargs) for _ in range(runs)), key=lambda r: r["rps"])
    return results[len(results) // 2]
