"""The training page's charts as a runner used to Strava or Garmin Connect reads them, in a
real browser at desktop and phone sizes: every multi-series chart has a legend, no axis
title or label is cut off or unreadably small, long time axes carry the year, hovering a
week names its numbers, TRIMP is explained beside its chart, and an import started on the
page brings its numbers up to date without leaving it."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from hipcoach.overview import record_pain
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


def _rate_pain(weeks_ago: tuple[int, ...] = (1, 2, 4)) -> None:
    today = datetime.now(UTC).date()
    for w in weeks_ago:
        day = (today - timedelta(days=7 * w)).isoformat()
        record_pain(pain=3 + w % 3, where="outer_hip", when="after", note=None, day=day, on=today)


# The chart is drawn twice, in a narrow and a wide box; the page shows the one that fits.
SHOWN = """(name) => [...document.querySelectorAll(`#chart-${name} .chart-plot svg`)]
             .find((s) => s.getBoundingClientRect().width > 0)"""


def _drawn(page: Page) -> None:
    for name in CHARTS:
        expect(page.locator(f"#chart-{name} .chart-plot svg:visible")).to_have_count(1)


def _outside(page: Page, name: str, selector: str) -> list[str]:
    """Texts matching ``selector`` in a chart whose box pokes out of the chart's SVG box."""
    result: list[str] = page.evaluate(
        f"""([name, selector]) => {{
             const svg = ({SHOWN})(name);
             const box = svg.getBoundingClientRect();
             const out = [];
             svg.querySelectorAll(selector).forEach((t) => {{
               const r = t.getBoundingClientRect();
               if (!t.textContent.trim() || r.width === 0) return;
               if (r.left < box.left - 0.5 || r.right > box.right + 0.5 ||
                   r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {{
                 out.push(`${{t.textContent}} [${{Math.round(r.left)}}..${{Math.round(r.right)}}` +
                          ` in ${{Math.round(box.left)}}..${{Math.round(box.right)}}]`);
               }}
             }});
             return out;
           }}""",
        [name, selector],
    )
    return result


def _texts(page: Page, name: str, selector: str) -> list[str]:
    texts: list[str] = page.locator(
        f"#chart-{name} .chart-plot svg:visible {selector}:visible"
    ).all_text_contents()
    return [t for t in texts if t.strip()]


def _overlapping(page: Page, name: str, selector: str) -> list[str]:
    """Pairs of shown texts matching ``selector`` whose boxes overlap, and the smallest
    text size on screen, in pixels."""
    result: list[str] = page.evaluate(
        f"""([name, selector]) => {{
             const rects = [...({SHOWN})(name).querySelectorAll(selector)]
               .map((t) => [t.textContent, t.getBoundingClientRect()])
               .filter(([, r]) => r.width > 0);
             const out = [];
             rects.forEach(([a, r], i) => rects.slice(i + 1).forEach(([b, q]) => {{
               if (r.left < q.right && q.left < r.right && r.top < q.bottom && q.top < r.bottom)
                 out.push(`${{a}} / ${{b}}`);
             }}));
             return out;
           }}""",
        [name, selector],
    )
    return result


def test_every_chart_has_a_legend_and_whole_readable_axes(page: Page):
    _seed()
    _rate_pain()
    page.goto("/training?weeks=26")
    _drawn(page)
    for name in ("load", "fitness"):
        legend = page.locator(f"#chart-{name} ul.legend li").all_inner_texts()
        assert len(legend) >= 2, f"the {name} chart names its series: {legend}"
    legend = page.locator("#chart-load ul.legend li").all_inner_texts()
    assert "Running load" in legend and "Worst pain (0–10)" in legend
    assert page.locator("#chart-volume ul.legend li").count() >= 1
    for name in CHARTS:
        titles = _texts(page, name, ".axis-title")
        assert titles, f"the {name} chart has axis titles"
        every_text = ".axis-title, .x-tick, .y-tick, .y2-tick"
        assert not _outside(page, name, every_text), _outside(page, name, every_text)
        assert not _overlapping(page, name, ".x-tick"), _overlapping(page, name, ".x-tick")
        smallest = page.evaluate(
            f"(name) => Math.min(...[...({SHOWN})(name).querySelectorAll('text')]"
            ".filter((t) => t.getBoundingClientRect().width > 0)"
            ".map((t) => t.getBoundingClientRect().height))",
            name,
        )
        assert smallest >= 10, f"the {name} chart's text is {smallest:.1f} px high"
    # The rated weeks are dots on the pain line.
    assert page.locator("#chart-load svg:visible .dots circle").count() == 3
    check_page(page)


def test_pointing_at_or_tapping_a_week_names_its_numbers(page: Page):
    _seed(weeks=8)
    page.goto("/training")
    _drawn(page)
    last = page.locator("#chart-volume .chart-plot svg:visible rect.hit").last
    last.hover()
    tip = last.locator("title").text_content() or ""
    assert tip.startswith("Week of ") and " km in " in tip and "runs" in tip, tip
    highlighted = last.evaluate("el => getComputedStyle(el).fill")
    assert highlighted != "rgba(0, 0, 0, 0)", "the hovered week is highlighted"
    # A phone shows no tooltip: a tap (a click on a desktop) writes the numbers under the chart.
    first = page.locator("#chart-volume .chart-plot svg:visible rect.hit").first
    first.tap() if page.viewport_size and page.viewport_size["width"] < 500 else first.click()
    readout = page.locator("#chart-volume .chart-readout")
    expect(readout).to_have_text(first.locator("title").text_content() or "")
    assert readout.inner_text().startswith("Week of ")


def test_long_time_axes_show_the_year(page: Page):
    _seed()
    page.goto("/training?weeks=52")
    _drawn(page)
    for name in CHARTS:
        labels = _texts(page, name, ".x-tick")
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
