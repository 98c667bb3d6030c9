"""Web latency benchmark: p50/p99 latency and requests/s of the assessment API and the
dashboard page under a load generator on loopback.

    .venv/bin/python bench/bench_web.py [--concurrency 8] [--duration 10] [--years 2]
                                        [--generator auto|wrk|httpx]

1. seeds a temporary data folder with a realistic history (``--years`` of near-daily runs
   and rides ending yesterday, as ``bench_load.py`` generates them) and one stored assessment;
2. starts the app as a user does (``hipcoach serve``) in a subprocess on a free loopback port;
3. drives each endpoint in turn from another process — ``wrk`` when it is on the PATH
   (Debian package ``wrk``; a Lua script sends the POST), otherwise an asyncio + httpx
   generator in a separate process — for ``--duration`` seconds at ``--concurrency``
   connections, after a short warm-up:
   ``POST /api/assess`` (a full answer set, examples/lateral-hip.json; stored, as by
   default), ``GET /api/load`` and ``GET /training`` (the dashboard; ``/`` if absent);
4. prints a table. All traffic stays on 127.0.0.1 and every run is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = ROOT / "examples" / "lateral-hip.json"
HOST = "127.0.0.1"
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Target:
    label: str
    method: str
    path: str
    body: bytes | None = None


@dataclass(frozen=True)
class Result:
    target: Target
    generator: str
    requests: int
    errors: int  # non-2xx/3xx responses and socket errors
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- the store -------------------------------------------------------------------------------


def seed(folder: Path, years: int, last: int | None = None) -> int:
    """A history of ``years`` of training (only its ``last`` activities, if given) ending
    yesterday, written through the repository."""
    os.environ["HIPCOACH_DATA_DIR"] = str(folder)
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_load import synthetic_history
    from hipcoach.storage.db import open_engine
    from hipcoach.storage.repository import Repository

    acts = synthetic_history(years=years)
    if last is not None:
        acts = acts[-last:]
    yesterday = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    shift = yesterday - max(a.start_utc for a in acts).replace(hour=0, minute=0, second=0)
    repo = Repository(open_engine())
    for i, a in enumerate(acts):  # one source file per activity, as a watch export has
        repo.add_file(
            sha256=hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
            name=f"{i}.fit",
            fmt="fit",
            size=50_000,
            stored_path=None,
            activities=[replace(a, start_utc=a.start_utc + shift)],
        )
    return repo.count()


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    exe = Path(sys.executable).with_name("hipcoach")
    port = free_port()
    env = {**os.environ, "HIPCOACH_DATA_DIR": str(folder)}
    env.pop("HIPCOACH_DATABASE_URL", None)
    proc = subprocess.Popen(
        [str(exe), "serve", "--host", HOST, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://{HOST}:{port}"
    try:
        for _ in range(300):  # up to ~30 s for start-up
            if proc.poll() is not None:
                raise SystemExit(f"the server exited with {proc.returncode}")
            try:
                if httpx.get(base + "/api/questions", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not start")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


# --- load generators -------------------------------------------------------------------------

WRK_LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = {body}
"""


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[m.group(2)]
    return float(m.group(1)) * scale


def run_wrk(base: str, target: Target, concurrency: int, duration: int) -> Result:
    cmd = ["wrk", f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{duration}s", "--latency"]
    with tempfile.TemporaryDirectory() as tmp:
        if target.body is not None:
            script = Path(tmp) / "post.lua"
            script.write_text(WRK_LUA.format(body=json.dumps(target.body.decode())))
            cmd += ["-s", str(script)]
        cmd.append(base + target.path)
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.MULTILINE))
    total = re.search(r"^\s*(\d+) requests in ([\d.]+)(\w+)", out, re.MULTILINE)
    if not pct or not total:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    errors += sum(int(g) for g in sock.groups()) if sock else 0
    seconds = _ms(total.group(2) + total.group(3)) / 1000
    return Result(
        target, "wrk", int(total.group(1)), errors, seconds, _ms(pct["50"]), _ms(pct["99"])
    )


async def _httpx_load(
    url: str, method: str, body: bytes | None, concurrency: int, duration: float
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    headers = JSON if body is not None else {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        start = time.perf_counter()
        deadline = start + duration

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    r = await client.request(method, url, content=body, headers=headers)
                    ok = r.status_code < 400
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                errors += not ok

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, errors, time.perf_counter() - start


def _httpx_in_process(
    url: str, method: str, body: bytes | None, concurrency: int, duration: float
) -> tuple[list[float], int, float]:
    return asyncio.run(_httpx_load(url, method, body, concurrency, duration))


def run_httpx(base: str, target: Target, concurrency: int, duration: int) -> Result:
    """The fallback generator, in its own process so it does not share the GIL with us."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        lat, errors, seconds = pool.submit(
            _httpx_in_process, base + target.path, target.method, target.body,
            concurrency, float(duration),
        ).result()  # fmt: skip
    if len(lat) < 2:
        raise SystemExit(f"{target.label}: too few requests to measure")
    q = statistics.quantiles(lat, n=100, method="inclusive")
    return Result(target, "httpx", len(lat), errors, seconds, q[49] * 1000, q[98] * 1000)


# --- main ------------------------------------------------------------------------------------


def warm_up(base: str, target: Target, n: int = 20) -> int:
    status = 0
    with httpx.Client(timeout=30) as client:
        for _ in range(n):
            r = client.request(
                target.method, base + target.path, content=target.body,
                headers=JSON if target.body else {},
            )  # fmt: skip
            status = r.status_code
    return status


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--concurrency", type=int, default=8, help="open connections (default 8)")
    ap.add_argument("--duration", type=int, default=10, help="seconds per endpoint (default 10)")
    ap.add_argument("--years", type=int, default=2, help="years of seeded history (default 2)")
    ap.add_argument("--generator", choices=("auto", "wrk", "httpx"), default="auto")
    args = ap.parse_args()
    if args.concurrency < 1 or not 1 <= args.duration <= 600:
        ap.error("--concurrency must be ≥ 1 and --duration 1–600 s")
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "httpx"
    elif generator == "wrk" and not shutil.which("wrk"):
        ap.error("wrk is not on the PATH (Debian: apt-get install wrk)")
    run = run_wrk if generator == "wrk" else run_httpx

    answers = ANSWERS.read_bytes()
    with tempfile.TemporaryDirectory(prefix="hipcoach-bench-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        count = seed(folder, args.years)
        print(f"seeded {count} activities ({args.years} years) in {time.perf_counter() - t0:.1f} s")
        with serve(folder) as base:
            r = httpx.post(base + "/api/assess", content=answers, headers=JSON, timeout=30)
            r.raise_for_status()
            print(f"stored one assessment: {r.json()['urgency']['level']}")
            dashboard = "/training"
            if httpx.get(base + dashboard, timeout=30).status_code != 200:
                dashboard = "/"
            targets = [
                Target("POST /api/assess", "POST", "/api/assess", answers),
                Target("GET /api/load", "GET", "/api/load"),
                Target(f"GET {dashboard}", "GET", dashboard),
            ]
            results = []
            for target in targets:
                status = warm_up(base, target)
                if status >= 400:
                    raise SystemExit(f"{target.label} answers {status}")
                results.append(run(base, target, args.concurrency, args.duration))

    print(
        f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load: {generator}, "
        f"{args.concurrency} connections, {args.duration} s each; server: hipcoach serve "
        "(one uvicorn worker)"
    )
    head = f"{'endpoint':<22}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}"
    print(head)
    print("-" * len(head))
    for res in results:
        print(
            f"{res.target.label:<22}{res.requests:>10}{res.rps:>10.1f}"
            f"{res.p50_ms:>10.1f}{res.p99_ms:>10.1f}{res.errors:>8}"
        )


if __name__ == "__main__":
    main()
