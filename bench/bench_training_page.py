"""Training page benchmark: time from navigation until the three charts are on screen, and
the bytes transferred, on first load (empty cache) and on reload, in Debian's Chromium.

    .venv/bin/python bench/bench_training_page.py [--activities 76] [--runs 5]

1. seeds a temporary data folder with the last ``--activities`` of the synthetic history
   (``bench_load.py``), shifted to end yesterday, through the repository (``bench_web.seed``);
2. starts the app as a user does (``hipcoach serve``, as ``bench_web.py`` does) on loopback;
3. for each run, opens /training in a fresh browser context (empty cache), waits until every
   chart's two SVG boxes (server-drawn, in the HTML) are in the page and a frame was drawn
   (``raf`` polling), reads ``performance.now()`` (milliseconds since the
   navigation began) and, once loaded, the load event's end (every script has run and the
   page answers input), then reloads and measures the same; bytes are the encoded (on the
   wire) lengths Chromium reports for each response (``Network.loadingFinished``), so a
   response served from cache counts 0 and a gzip response counts its compressed size;
4. prints the median and range of each figure. All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import CDPSession, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from bench_web import seed, serve

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
CHARTS = 3
LOADED = "() => performance.getEntriesByType('navigation')[0].loadEventEnd"
DRAWN = f"() => document.querySelectorAll('.chart-plot svg').length >= 2 * {CHARTS}"


def _bytes_counter(cdp: CDPSession) -> dict[str, float]:
    seen = {"bytes": 0.0, "responses": 0.0}

    def done(event: dict[str, Any]) -> None:
        seen["bytes"] += float(event.get("encodedDataLength", 0))
        seen["responses"] += 1

    cdp.send("Network.enable")
    cdp.on("Network.loadingFinished", done)
    return seen


def _drawn_ms(page: Page) -> float:
    page.wait_for_function(DRAWN, polling="raf", timeout=60_000)
    return float(page.evaluate("performance.now()"))


def measure(base: str, runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {
        k: [] for k in ("first_ms", "first_load_ms", "first_kb", "reload_ms", "reload_kb")
    }
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            counter = _bytes_counter(context.new_cdp_session(page))
            page.goto(base + "/training", wait_until="commit")
            out["first_ms"].append(_drawn_ms(page))
            page.wait_for_load_state("load")
            out["first_load_ms"].append(float(page.evaluate(LOADED)))
            out["first_kb"].append(counter["bytes"] / 1024)
            counter["bytes"] = 0.0
            page.reload(wait_until="commit")
            out["reload_ms"].append(_drawn_ms(page))
            page.wait_for_load_state("load")
            out["reload_kb"].append(counter["bytes"] / 1024)
            context.close()
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=76)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hipcoach-bench-page-") as tmp:
        folder = Path(tmp)
        count = seed(folder, years=1, last=args.activities)
        with serve(folder) as base:
            figures = measure(base, args.runs)
    print(
        f"/training with {count} activities, {args.runs} runs, Chromium headless 1280x800, "
        f"server: hipcoach serve on loopback; {platform.python_version()}, "
        f"{os.cpu_count()} cpus"
    )
    for key, label in (("first_ms", "first load, ms to charts drawn"),
                       ("first_load_ms", "first load, ms to load event end"),
                       ("first_kb", "first load, KB transferred"),
                       ("reload_ms", "reload, ms to charts drawn"),
                       ("reload_kb", "reload, KB transferred")):  # fmt: skip
        v = figures[key]
        spread = f"(min {min(v):.1f}, max {max(v):.1f})"
        print(f"  {label:34} median {statistics.median(v):8.1f}  {spread}")


if __name__ == "__main__":
    main()
