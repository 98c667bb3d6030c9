"""The training page, its import summary and its files tell the truth (in-process client):
a history that ended in the past is spoken of as of its last day, the clinician's report
shows the same weeks as the dashboard, the import summary's rows add up to the files looked
at and name the duplicates, and the chart scripts are served cached and gzipped."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hipcoach.services import clinician_report, local_today
from hipcoach.storage.db import open_engine
from hipcoach.storage.repository import Repository
from hipcoach.training.model import Activity

from .test_dashboard import EXAMPLES, _gpx, _text, _upload_and_import, strava_export

LAST_RUN = date(2024, 5, 3)  # a Friday, long ago


def _seed_ended_history() -> None:
    """Ten weeks of running ending on LAST_RUN, then nothing: the history stopped."""
    repo = Repository(open_engine())
    for i in range(30):
        day = LAST_RUN - timedelta(days=2 * i)
        km = 14.0 if i == 0 else 6.0
        act = Activity(
            sport="running", start_utc=datetime(day.year, day.month, day.day, 7, tzinfo=UTC),
            elapsed_s=km * 330, source_format="fit", utc_offset_s=0, moving_s=km * 330,
            distance_m=km * 1000, avg_hr=150.0, gear="Old shoe",
        )  # fmt: skip
        repo.add_file(
            sha256=hashlib.sha256(f"ended-{i}".encode()).hexdigest(), name=f"{i}.fit",
            fmt="fit", size=1000, stored_path=None, activities=[act],
        )  # fmt: skip


def test_a_history_that_ended_is_shown_as_of_its_last_day_not_today(client):
    _seed_ended_history()
    words = _text(client.get("/training").text)
    assert "weeks up to 03 May 2024" in words
    # Its last week (to Friday 3 May) is partial: cut short, not "in progress".
    assert "week cut short by the end of the history" in words
    assert "week in progress" not in words
    flags = client.get("/api/load").json()["flags"]
    assert flags, "the long run at the end is flagged"
    for f in flags:
        assert "today" not in f["text"] and "the last 7 days" not in f["text"], f["text"]
    assert any("3 May 2024" in f["text"] for f in flags)
    if "Acute:chronic ratio" in words:
        assert "Acute:chronic ratio on 03 May 2024, the end of your history" in words


def test_the_report_shows_the_same_weeks_as_the_dashboard(client):
    _seed_ended_history()
    client.post("/api/assess", json=json.loads((EXAMPLES / "lateral-hip.json").read_text()))
    from hipcoach.overview import overview

    view = overview(12, "km")
    report = clinician_report(local_today(), "km", [])
    assert view is not None and report is not None
    assert report.weeks_to == view.today == LAST_RUN
    assert report.weeks_title == "12 weeks to 03 May 2024"
    assert report.weeks[-1].label == "29 Apr" and report.weeks[-1].distance != "–"
    assert report.weeks[0].label == "12 Feb"


def _summary_rows(html: str) -> tuple[list[int], int]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    foot = re.search(r"<tfoot>.*?<td class=\"num\">(\d+)</td>", html, re.S)
    assert body and foot, html
    firsts = re.findall(r"</th><td class=\"num\">(\d+)</td>", body.group(1))
    return [int(x) for x in firsts], int(foot.group(1))


def test_the_import_summary_adds_up_and_names_the_duplicates(client):
    job = _upload_and_import(client, "export_42.zip", strava_export())
    page = client.get(f"/training/imports/{job['id']}").text
    rows, files = _summary_rows(page)
    assert sum(rows) == files == job["summary"]["files"]
    again = _upload_and_import(client, "export_42.zip", strava_export())
    page = client.get(f"/training/imports/{again['id']}").text
    rows, files = _summary_rows(page)
    assert sum(rows) == files
    dups = again["summary"]["duplicate_files"]
    assert dups > 0
    assert f"{dups} files were already imported (duplicates, not imported again)" in _text(page)


def test_a_file_whose_activity_came_from_another_file_is_counted(client):
    """The same run in two different files (another name inside): two files, one activity.
    The second file is a duplicate file (its activity was already there), so the rows hold."""
    run = _gpx(datetime(2025, 3, 4, 7, tzinfo=UTC), 6.0)
    first = _upload_and_import(client, "run.gpx", run)
    assert first["summary"]["imported_activities"] == 1
    renamed = run.replace(b"<name>Run</name>", b"<name>Morning run</name>")
    second = _upload_and_import(client, "run-copy.gpx", renamed)
    assert second["summary"]["duplicate_files"] == 1
    assert second["summary"]["imported_files"] == 0
    page = client.get(f"/training/imports/{second['id']}").text
    rows, files = _summary_rows(page)
    assert files == 1 and sum(rows) == 1
    said = "Nothing new: 1 file was already imported and 1 activity was already there"
    assert said in _text(page)


def test_the_page_and_its_files_are_gzipped_and_cached(client):
    page = client.get("/training", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert int(page.headers["content-length"]) < len(page.content)  # compressed on the wire
    html = page.text
    files = re.findall(r'<(?:script src|link rel="stylesheet" href)="(/static/[^"]+)"', html)
    assert "/static/training.js" in files and "/static/training.css" in files
    for src in files:
        r = client.get(src, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200
        assert r.headers["content-encoding"] == "gzip", src
        assert int(r.headers["content-length"]) < len(r.content)  # compressed on the wire
        assert "Accept-Encoding" in r.headers["vary"]
        assert r.headers["cache-control"] == "no-cache"  # kept, but checked every time
        again = client.get(
            src, headers={"Accept-Encoding": "gzip", "If-None-Match": r.headers["etag"]}
        )
        assert again.status_code == 304 and again.headers["cache-control"] == "no-cache"


def test_the_charts_come_drawn_with_the_page_not_by_a_script_library(client):
    """The charts are SVG in the page itself: on screen with the first paint, also without
    JavaScript; the page's scripts are our own few kilobytes, not a chart library."""
    _seed_ended_history()
    html = client.get("/training").text
    for name in ("volume", "load", "fitness"):
        chart = re.search(rf'<figure[^>]*id="chart-{name}".*?</figure>', html, re.S)
        assert chart is not None
        assert chart.group(0).count("<svg class=\"svg-chart") == 2  # a narrow and a wide box
        assert "<title>" in chart.group(0)  # hovering a position names its numbers
    scripts = re.findall(r'<script src="(/static/[^"]+)"', html)
    assert scripts == ["/static/training.js"]
    assert len(client.get("/static/training.js").content) < 20_000


def test_without_gzip_the_file_comes_as_it_is(client):
    src = "/static/training.js"
    r = client.get(src, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in r.headers
    path = Path(__file__).parents[2] / "src/hipcoach/web/static/training.js"
    assert r.content == path.read_bytes()
    assert r.headers["cache-control"] == "no-cache"
