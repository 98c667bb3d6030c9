"""Screenshots of every main page, desktop and phone, for the README and docs/screenshots/.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts ``hipcoach serve`` on a fresh data folder holding a demo runner — 16 weeks of runs
with a too-fast build-up (a Strava-style export of manual entries, imported through the
real importer), a self-care hip check, a pain diary and one logged session — and photographs
each page with Debian's Chromium through Playwright.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HIPCOACH = str(Path(sys.executable).with_name("hipcoach"))
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

HEADER = [
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Elapsed Time",
    "Distance", "Activity Gear", "Filename", "Moving Time", "Distance", "Average Heart Rate",
    "Average Cadence", "Perceived Exertion",
]  # fmt: skip


def demo_export(out: Path, today: datetime) -> None:
    """16 weeks of running: steady, then a build-up of 20-30 % a week with no easier week."""
    weekly_km = [20, 21, 20, 22, 21, 22, 18, 22, 23, 22, 27, 33, 40, 46, 48, 50]
    rows = io.StringIO()
    w = csv.writer(rows)
    w.writerow(HEADER)
    monday = (today - timedelta(days=today.weekday())).replace(
        hour=6, minute=30, second=0, microsecond=0
    ) - timedelta(weeks=len(weekly_km) - 1)
    n = 0
    for week, km in enumerate(weekly_km):
        split = [0.2, 0.25, 0.2, 0.35]  # Tue, Thu, Sat, Sun (long run)
        for day, share in zip((1, 3, 5, 6), split, strict=True):
            start = monday + timedelta(weeks=week, days=day)
            if start > today:
                continue
            dist = km * share * 1000
            pace = 330 if day != 6 else 360  # s per km
            n += 1
            w.writerow([
                9_000_000 + n, start.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                "Long run" if day == 6 else "Easy run", "Run", round(dist / 1000 * pace),
                f"{dist / 1000:.2f}", "Pegasus 38" if week < 8 else "Kinvara 14", "",
                round(dist / 1000 * pace), f"{dist:.1f}", 148 if day != 6 else 142, 82, "",
            ])  # fmt: skip
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("activities.csv", rows.getvalue())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run([HIPCOACH, *args], env=env, input=stdin, text=True, check=True,
                   capture_output=True)  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HIPCOACH_DATA_DIR": tmp, "HIPCOACH_UNITS": ""}
        env.pop("HIPCOACH_UNITS")
        today = datetime.now(UTC)
        export = Path(tmp) / "export.zip"
        demo_export(export, today)
        port = free_port()
        server = subprocess.Popen([HIPCOACH, "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            shoot(base, args.out, {"welcome": "/"})  # the first run, on an empty store
            run(env, "import", str(export))
            case = json.loads(
                (ROOT / "tests" / "cases" / "self_care.jsonl").read_text().splitlines()[0]
            )
            run(env, "assess", "--answers", "-", "--json", stdin=json.dumps(case))
            for back, pain in ((20, 2), (13, 3), (9, 4), (6, 5), (3, 4), (1, 3)):
                day = (today - timedelta(days=back)).date().isoformat()
                run(env, "diary", "add", "--pain", str(pain), "--where", "outer_hip",
                    "--when", "after", "--date", day)  # fmt: skip
            shoot(base, args.out, PAGES)
            # A build-up plan only once the episode is over ("running again without pain").
            run(env, "plan", "--recovered")
            shoot(base, args.out, {"running": "/programme/running?goal=half&weeks=16"})
            shoot(base, args.out, {}, case["answers"])
        finally:
            server.terminate()
            server.wait(10)


def hip_check(page: Any, base: str, answers: dict[str, Any], shot: Callable[[str], None]) -> None:
    """Answer the wizard from ``answers`` ("Don't know" otherwise), photographing the body
    map on the way and the result at the end."""
    page.goto(base + "/assess")
    for _ in range(90):
        field = page.locator('input[type="hidden"][name="question"]')
        if not field.count():
            break
        qid = field.get_attribute("value")
        value = answers.get(qid)
        if qid == "location":
            for v in value or ["outer_hip"]:
                page.locator(f'[data-choice="{v}"]').first.click()
            shot("assess-bodymap")
        elif value is None:
            page.get_by_role("button", name="Don't know").click()
            continue
        elif page.locator('input[type="number"][name="value"]').count():
            page.locator('input[name="value"]').fill(str(value))
        else:
            values = value if isinstance(value, list) else [value]
            for v in values:
                v = {True: "yes", False: "no"}.get(v, v) if isinstance(v, bool) else v
                page.locator(f'input[name="value"][value="{v}"]').check()
        page.get_by_role("button", name="Next").click()
    shot("result")


PAGES = {
    "home": "/",
    "training": "/training",
    "programme": "/programme",
    "exercises": "/programme/exercises",
    "session": "/session",
    "return": "/programme/return",
    "settings": "/settings",
}


def shoot(
    base: str, out: Path, pages: dict[str, str], answers: dict[str, Any] | None = None
) -> None:
    """Each page at each size; with ``answers``, the hip check too."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size, viewport in SIZES.items():
            ctx = browser.new_context(
                viewport=viewport, is_mobile=size == "phone", has_touch=size == "phone",
                device_scale_factor=1,
            )  # fmt: skip
            page = ctx.new_page()

            def shot(name: str, size: str = size, page: Any = page) -> None:
                if size == "desktop":  # bring lazy images in before a full-page shot
                    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                    page.wait_for_timeout(300)
                    page.evaluate("window.scrollTo(0, 0)")
                page.wait_for_timeout(300)  # let fonts and images settle
                page.screenshot(path=str(out / f"{name}-{size}.png"), full_page=size == "desktop")

            for name, path in pages.items():
                page.goto(base + path)
                shot(name)
            if answers is not None:
                hip_check(page, base, answers, shot)
            ctx.close()
        browser.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
