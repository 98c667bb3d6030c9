"""The training page's charts as a runner used to Strava or Garmin Connect reads them, in a
real browser at desktop and phone sizes: every multi-series chart has a legend, no axis
title is cut off, long time axes carry the year, TRIMP is explained beside its chart, and
an import started on the page brings its numbers up to date without leaving it."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from hipcoach.storage.db import open_engine
from hipcoach.storage.repository import Repository
from hipcoach.training.model import Activity

from .support import check_page

DATA = Path(__file__).parents[1] / "data"
CHARTS = ("volume", "load", "fitness")
IMPORT_WAIT_MS = 120_000  # how long to wait for an import to finish; not a speed check
YEAR = re.compile(r"\b20\d\d\b")


def _seed(weeks: int = 40, per_week: int = 2) -> int:
    """Runs (with heart rate) and a ride every week for ``weeks`` weeks, ending yesterday,
    stored as an import would store them (the live server reads the same data folder)."""
    repo = Repository(open_engine())
    end = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    n = 0
    for w in range(weeks):
        for k in range(per_week + 1):
            start = end - timedelta(days=1 + 7 * w + 3 * k)
            ride = k == per_week
            secs = 3600.0 if ride else 2400.0 + 60 * (w % 5)
            act = Activity(
                sport="cycling" if ride else "running", start_utc=start, elapsed_s=secs,
                source_format="fit", utc_offset_s=0, moving_s=secs,
                distance_m=secs * (7.0 if ride else 2.9), avg_hr=125.0 if ride else 145.0,
                gear=None if ride else "Trail shoe",
            )  # fmt: skip
            repo.add_file(
                sha256=hashlib.sha256(f"chart-{w}-{k}".encode()).hexdigest(),
                name=f"{w}-{k}.fit", fmt="fit", size=1000, stored_path=None, activities=[act],
            )  # fmt: skip
            n += 1
    return n


def _drawn(page: Page) -> None:
    for name in CHARTS:
        expect(page.locator(f"#chart-{name} .chart-canvas svg")).to_be_visible()


def _outside(page: Page, name: str, selector: str) -> list[str]:
    """Texts matching ``selector`` in a chart whose box pokes out of the chart's SVG box."""
    result: list[str] = page.evaluate(
        """([name, selector]) => {
             const svg = document.querySelector(`#chart-${name} .chart-canvas svg`);
             const box = svg.getBoundingClientRect();
             const out = [];
             svg.querySelectorAll(selector).forEach((t) => {
               const r = t.getBoundingClientRect();
               if (!t.textContent.trim() || r.width === 0) return;
               if (r.left < box.left - 0.5 || r.right > box.right + 0.5 ||
                   r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
                 out.push(`${t.textContent} [${Math.round(r.left)}..${Math.round(r.right)}` +
                          ` in ${Math.round(box.left)}..${Math.round(box.right)}]`);
               }
             });
             return out;
           }""",
        [name, selector],
    )
    return result


def _texts(page: Page, name: str, selector: str) -> list[str]:
    texts: list[str] = page.locator(
        f"#chart-{name} .chart-canvas svg {selector}"
    ).all_text_contents()
    return [t for t in texts if t.strip()]


def test_every_chart_has_a_legend_and_whole_axis_titles(page: Page):
    _seed()
    page.goto("/training?weeks=26")
    _drawn(page)
    for name in CHARTS:
        legend = _texts(page, name, ".role-legend .role-legend-label text")
        assert len(legend) >= 2, f"the {name} chart names its series: {legend}"
        titles = _texts(page, name, ".role-axis-title text")
        assert titles, f"the {name} chart has axis titles"
        assert not _outside(page, name, ".role-axis-title text"), _outside(
            page, name, ".role-axis-title text"
        )
        assert not _outside(page, name, ".role-legend text")
    assert "Running load" in _texts(page, "load", ".role-legend-label text")
    assert any("pain" in t.lower() for t in _texts(page, "load", ".role-legend-label text"))
    check_page(page)


def test_long_time_axes_show_the_year(page: Page):
    _seed()
    page.goto("/training?weeks=52")
    _drawn(page)
    for name in CHARTS:
        labels = _texts(page, name, ".role-axis-label text")
        dates = [t for t in labels if re.search(r"[A-Z][a-z]{2}", t)]
        assert dates, f"the {name} chart labels its time axis: {labels}"
        assert all(YEAR.search(t) for t in dates), f"{name}: {dates}"


def test_trimp_is_explained_beside_its_charts(page: Page):
    _seed(weeks=8)
    page.goto("/training")
    _drawn(page)
    for name in ("load", "fitness"):
        note = page.locator(f"#chart-{name} .chart-note")
        expect(note).to_be_visible()
        assert "TRIMP" in note.inner_text() and "heart rate" in note.inner_text()


def test_an_import_on_the_page_updates_its_numbers_in_place(page: Page):
    _seed(weeks=6)
    page.goto("/training")
    _drawn(page)
    before = page.locator(".overview-bar").inner_text()
    assert before.startswith("18 activities imported")
    page.get_by_label("Add more files or a newer export").set_input_files(
        [DATA / "tcx" / "run_garmin.tcx"]
    )
    button = page.get_by_role("button", name="Upload and import")
    button.tap() if page.viewport_size and page.viewport_size["width"] < 500 else button.click()
    status = page.locator("#upload-status")
    expect(status).to_contain_text("Import finished", timeout=IMPORT_WAIT_MS)
    expect(page.locator(".refreshed")).to_contain_text("now include this import")
    assert page.locator(".overview-bar").inner_text().startswith("19 activities imported")
    _drawn(page)
    files = [int(x) for x in page.locator("table.summary td.num").all_inner_texts() if x]
    total = int(page.locator("table.summary tfoot td.num").inner_text())
    rows = page.locator("table.summary tbody tr")
    per_row = [int(rows.nth(i).locator("td").first.inner_text()) for i in range(rows.count())]
    assert sum(per_row) == total, "the rows add up to the files looked at"
    assert files and total == 1
    check_page(page)
