"""The training dashboard: first-run guidance, uploads that import in the background, the
charts' data, the flags in words, the pain diary, and the report's chart (in-process client).

The export uploaded here is a real Strava bulk-export layout: the real ``activities.csv``
header of tests/data/strava_export, one row per run (with its shoes), GPX tracks written by
``_gpx`` (six weeks of easy running, then a week with a long run, so the load flags fire) and
a truncated FIT file from tests/data/fit/bad that must be skipped with its reason.
"""

from __future__ import annotations

import csv
import html as html_lib
import io
import json
import math
import re
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

DATA = Path(__file__).parents[1] / "data"
EXAMPLES = Path(__file__).parents[2] / "examples"
# Seven weeks of running ending last week, so the dashboard and the report (both as of
# today) show them.
TODAY = datetime.now(UTC).astimezone().date()
THIS_MONDAY = TODAY - timedelta(days=TODAY.weekday())
FIRST_MONDAY = THIS_MONDAY - timedelta(weeks=8)
RATED_DAY = THIS_MONDAY - timedelta(weeks=2, days=-3)  # a Thursday in the week of the long run
SHOE = "Pegasus 39"
BROKEN = "activities/broken.fit"


def _gpx(start: datetime, km: float, pace_s_per_km: float = 330.0) -> bytes:
    """A running track heading north: a point every 10 s at an even pace."""
    step = 10.0
    metres_per_degree = 111_195.0
    n = math.ceil(km * pace_s_per_km / step)
    points = []
    for i in range(n + 1):
        lat = 52.0 + (i * step / pace_s_per_km * 1000.0) / metres_per_degree
        t = (start + timedelta(seconds=i * step)).strftime("%Y-%m-%dT%H:%M:%SZ")
        points.append(f'<trkpt lat="{lat:.6f}" lon="13.400000"><time>{t}</time></trkpt>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="hipcoach tests" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>Run</name><type>running</type><trkseg>{''.join(points)}</trkseg></trk></gpx>"
    ).encode()


def _runs() -> list[tuple[datetime, float]]:
    """Six weeks of three 6 km runs, then a week of three 8 km runs and a 16 km long run."""

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, datetime.min.time(), UTC).replace(hour=hour)

    out = []
    for week in range(7):
        monday = FIRST_MONDAY + timedelta(weeks=week)
        for day in (0, 2, 4):
            out.append((at(monday + timedelta(days=day), 7), 6.0 if week < 6 else 8.0))
    out.append((at(FIRST_MONDAY + timedelta(weeks=6, days=6), 8), 16.0))
    return out


def strava_export() -> bytes:
    """A Strava bulk export as a zip, with one truncated FIT file listed in its CSV."""
    src = DATA / "strava_export"
    header = next(csv.reader(io.StringIO((src / "activities.csv").read_text(encoding="utf-8"))))
    col = {h: header.index(h) for h in ("Activity ID", "Activity Date", "Activity Name",
                                        "Activity Type", "Filename", "Activity Gear")}  # fmt: skip

    def row(i: int, start: datetime, name: str, filename: str) -> list[str]:
        r = [""] * len(header)
        r[col["Activity ID"]] = str(1000 + i)
        r[col["Activity Date"]] = start.strftime("%b %-d, %Y, %-I:%M:%S %p")
        r[col["Activity Name"]] = name
        r[col["Activity Type"]] = "Run"
        r[col["Filename"]] = filename
        r[col["Activity Gear"]] = SHOE
        return r

    buf = io.BytesIO()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in src.glob("*.csv"):
            if f.name != "activities.csv":
                z.write(f, f"export_42/{f.name}")
        for i, (start, km) in enumerate(_runs()):
            name = f"activities/{1000 + i}.gpx"
            z.writestr(f"export_42/{name}", _gpx(start, km))
            writer.writerow(row(i, start, f"Run {km:g} km", name))
        z.write(DATA / "fit" / "bad" / "activity-unexpected-eof.fit", f"export_42/{BROKEN}")
        broken_day = datetime.combine(RATED_DAY, datetime.min.time(), UTC).replace(hour=7)
        writer.writerow(row(99, broken_day, "Broken", BROKEN))
        z.writestr("export_42/activities.csv", out.getvalue())
    return buf.getvalue()


def _upload_and_import(client: TestClient, name: str, body: bytes) -> dict[str, Any]:
    r = client.put(f"/api/uploads/{name}", content=body)
    assert r.status_code == 201, r.text
    assert r.json()["bytes"] == len(body)
    started = client.post("/api/imports", json={"uploads": [r.json()["upload"]]})
    assert started.status_code == 202, started.text
    job = started.json()
    deadline = time.monotonic() + 120
    while job["state"] == "running":
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.1)
        job = client.get(f"/api/imports/{job['id']}").json()
    return job


@pytest.fixture
def imported(client, home_dir):  # type: ignore[no-untyped-def]
    job = _upload_and_import(client, "export_42.zip", strava_export())
    assert job["state"] == "done", job
    return job


def _text(html: str) -> str:
    """The page's visible words, tags and extra spaces removed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- before anything is imported ----------------------------------------------------------


def test_an_empty_store_shows_how_to_get_an_export_and_the_upload_form(client):
    r = client.get("/training")
    assert r.status_code == 200
    words = _text(r.text)
    assert "Start by importing your history" in words
    assert "Request your archive" in words  # how to get a Strava export
    assert "Export Your Data" in words  # and a Garmin one
    assert 'action="/training/upload"' in r.text and 'enctype="multipart/form-data"' in r.text
    assert '<label for="files">' in r.text
    assert "spec-volume" not in r.text  # no empty charts
    assert client.get("/api/charts/volume").status_code == 404
    assert "no training history yet" in client.get("/api/charts/volume").json()["error"]


def test_every_script_and_style_is_served_by_the_app_itself(client):
    html = client.get("/training").text
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|svg))"', html)
    assert "/static/training.js" in assets
    for a in assets:
        assert a.startswith("/static/"), a  # no CDN
        assert client.get(a).status_code == 200, a


# --- uploading and importing ------------------------------------------------------------------


def test_an_uploaded_strava_export_imports_and_reports_the_bad_file(imported, home_dir):
    summary = imported["summary"]
    assert summary["imported_activities"] == len(_runs())
    assert imported["files_done"] == imported["files_total"] >= len(_runs()) + 1
    [skipped] = summary["skipped"]
    assert skipped["name"].endswith(f"export_42.zip › export_42/{BROKEN}")
    assert str(home_dir) not in skipped["name"]  # the temporary folder is not shown
    assert "truncated" in skipped["reason"]
    # the temporary upload is gone once imported
    assert not any((home_dir / "uploads").iterdir())


def test_importing_the_same_export_again_says_nothing_new(client, imported):
    again = _upload_and_import(client, "export_42.zip", strava_export())
    assert again["summary"]["imported_activities"] == 0
    assert again["summary"]["duplicate_files"] == len(_runs())


def test_the_plain_form_upload_works_without_javascript(client):
    files = [("files", ("export_42.zip", strava_export(), "application/zip"))]
    r = client.post("/training/upload", files=files, follow_redirects=False)
    assert r.status_code == 303
    page = r.headers["location"]
    assert page.startswith("/training/imports/")
    deadline = time.monotonic() + 120
    html = client.get(page).text
    while 'http-equiv="refresh"' in html:  # the page refreshes itself while it runs
        assert time.monotonic() < deadline
        time.sleep(0.1)
        html = client.get(page).text
    words = _text(html)
    assert "Import finished" in words
    assert f"Imported {len(_runs())} {len(_runs())}" in words
    assert "broken.fit" in words and "truncated" in words


@pytest.mark.parametrize(
    "name", ["..%2F..%2Fhipcoach.db", "a%2Fb.fit", "..%5Cevil.fit", ".hidden", "%2E%2E"]
)
def test_a_name_with_folder_parts_is_refused(client, home_dir, name):
    r = client.put(f"/api/uploads/{name}", content=b"<gpx/>")
    assert r.status_code in (400, 404, 405), r.text
    if r.status_code == 400:
        assert "not a plain file name" in r.json()["error"]
    assert not (home_dir / "hipcoach.db").exists()
    assert not list(home_dir.parent.glob("*.fit"))


def test_an_upload_over_the_size_limit_is_a_413_with_a_clear_message(client, monkeypatch):
    monkeypatch.setenv("HIPCOACH_MAX_UPLOAD_MB", "0.01")  # about 10 KB
    r = client.put("/api/uploads/big.zip", content=b"x" * 20_000)
    assert r.status_code == 413
    assert "larger than the upload limit" in r.json()["error"]
    r = client.post("/api/imports", json={"uploads": ["0" * 32]})
    assert r.status_code == 404 and "upload it again" in r.json()["error"]


# --- the dashboard with a history -------------------------------------------------------------


def test_the_dashboard_shows_the_charts_flags_shoes_and_activities(client, imported):
    html = client.get("/training").text
    words = _text(html)
    load = client.get("/api/load").json()
    assert load["flags"], "the long run should be flagged"
    for flag in load["flags"]:
        assert flag["title"] in words
        assert flag["caveat"].split(".")[0] in words
    assert "Evidence:" in words
    assert SHOE in words and "km" in words
    assert "Run 16 km" in words  # recent activities
    for name in ("volume", "load", "fitness"):
        # The page draws each chart from the same numbers the API serves as a spec.
        api = client.get(f"/api/charts/{name}").json()
        assert api["spec"]["$schema"].endswith("vega-lite/v6.json")
        figure = re.search(rf'<figure[^>]*id="chart-{name}".*?</figure>', html, re.S)
        assert figure is not None
        narrow = figure.group(0).split('<svg class="svg-chart wide"')[0]
        tips = [html_lib.unescape(t) for t in re.findall(r"<title>(.*?)</title>", narrow)]
        rows = api["table"]["rows"]
        if name == "fitness":  # a position a day, a row a week ending on its last day
            assert tips[-1].startswith(rows[-1][0] + ":")
        else:
            assert len(tips) == len(rows)
            assert [t.split(":")[0] for t in tips] == [f"Week of {r[0]}" for r in rows]
    # the numbers are on the page as tables too (no JavaScript needed)
    assert "The numbers" in words and "Week of" in words


def test_the_volume_chart_has_the_same_weeks_as_load_json(client, imported, cli):
    via_cli = json.loads(cli("load", "--json", "--weeks", "8").stdout)
    chart = client.get("/api/charts/volume", params={"weeks": 8}).json()
    values = chart["spec"]["data"]["values"]
    assert [(v["monday"], v["run_distance_m"]) for v in values] == [
        (w["monday"], w["run_distance_m"]) for w in via_cli["weeks"]
    ]
    assert values[-1]["distance"] == round(via_cli["weeks"][-1]["run_distance_m"] / 1000, 2)
    assert chart["summary"] and chart["table"]["rows"]
    assert client.get("/api/charts/nonsense").status_code == 404


def test_distances_follow_the_preferred_units(client, imported, monkeypatch):
    monkeypatch.setenv("HIPCOACH_UNITS", "mi")
    chart = client.get("/api/charts/volume").json()
    assert chart["title"] == "Weekly running (mi)"
    last = chart["spec"]["data"]["values"][-1]
    assert last["distance"] == round(last["run_distance_m"] / 1609.344, 2)
    assert " mi " in _text(client.get("/training").text)


# --- the pain diary ---------------------------------------------------------------------------


def test_diary_posts_are_validated_with_clear_messages(client):
    r = client.post("/api/diary", json={"pain": 11, "where": "outer_hip", "when": "after"})
    assert r.status_code == 422
    assert r.json()["error"] == "pain must be a whole number from 0 to 10; got 11"
    r = client.post("/api/diary", json={"pain": 3, "where": "outer_hip", "when": "after",
                                        "date": "2999-01-01"})  # fmt: skip
    assert r.status_code == 422 and "in the future" in r.json()["error"]
    assert client.get("/api/diary").json() == []
    # the page's form says the same on the page, and keeps what was typed
    r = client.post("/training/diary", data={"pain": "eleven", "where": "outer_hip",
                                             "when": "after", "note": "sore"})  # fmt: skip
    assert r.status_code == 422
    assert "Pain must be a whole number from 0 to 10; got eleven." in _text(r.text)
    assert 'value="sore"' in r.text


def test_a_valid_rating_is_stored_and_shown_like_the_cli(client, cli):
    r = client.post("/api/diary", json={"pain": 4, "where": "outer_hip", "when": "after",
                                        "note": "after hills", "date": "2025-02-20"})  # fmt: skip
    assert r.status_code == 201
    assert r.json()["pain"] == 4 and r.json()["day"] == "2025-02-20" and r.json()["id"]
    assert client.get("/api/diary").json() == json.loads(cli("diary", "list", "--json").stdout)
    form = {"pain": "2", "where": "outer_hip", "when": "rest", "date": "2025-02-21"}
    r = client.post("/training/diary", data=form, follow_redirects=False)
    assert r.status_code == 303
    page = _text(client.get(r.headers["location"]).text)
    assert "Recorded pain 2/10 on 2025-02-21." in page
    assert "after hills" in page


def test_pain_is_overlaid_on_the_load_chart(client, imported):
    client.post("/api/diary", json={"pain": 5, "where": "outer_hip", "when": "after",
                                    "date": RATED_DAY.isoformat()})  # fmt: skip
    chart = client.get("/api/charts/load").json()
    bars, line = chart["spec"]["layer"]
    load = {w["monday"]: w["run_load"] for w in client.get("/api/load").json()["weeks"]}
    running = {v["monday"]: v["load"] for v in bars["data"]["values"]
               if v["series"] == "Running load"}  # fmt: skip
    assert running == {m: round(x, 1) for m, x in load.items()}
    assert line["encoding"]["y"]["scale"]["domain"] == [0, 10]
    assert chart["spec"]["resolve"]["scale"]["y"] == "independent"
    rated = [v for v in line["data"]["values"] if v["pain"] is not None]
    week = RATED_DAY - timedelta(days=RATED_DAY.weekday())
    assert rated == [{"monday": week.isoformat(), "series": "Worst pain (0–10)", "pain": 5,
                      "mean": 5.0, "ratings": 1}]  # fmt: skip
    assert f"worst 5/10 in the week of {week.strftime('%d %b %Y')}" in chart["summary"]


# --- the report ------------------------------------------------------------------------------


def test_the_pdf_report_with_history_contains_the_load_chart(client, imported, cli, tmp_path):
    answers = json.loads((EXAMPLES / "lateral-hip.json").read_text())
    client.post("/api/assess", json=answers)
    out = cli("export", "report", str(tmp_path / "r.pdf"))
    assert out.exit_code == 0, out.output
    reader = PdfReader(tmp_path / "r.pdf")
    images = [img for page in reader.pages for img in page.images]
    assert images, "the report should show the load chart"
    cli("export", "report", str(tmp_path / "r.html"))
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<svg" in html


def test_flags_of_one_kind_are_shown_together_latest_first():
    from hipcoach.web.dashboard import flag_groups

    flags = [
        {"id": "weekly_ramp", "date": "2026-10-05", "text": "first ramp"},
        {"id": "single_run_spike", "date": "2026-10-20", "text": "long run"},
        {"id": "weekly_ramp", "date": "2026-10-26", "text": "second ramp"},
    ]
    groups = flag_groups(flags)
    assert [(g["text"], [e["text"] for e in earlier]) for g, earlier in groups] == [
        ("second ramp", ["first ramp"]),
        ("long run", []),
    ]


def test_the_saved_unit_reaches_the_flags_and_the_hip_checks_training_facts(client, imported):
    client.put("/api/settings", json={"units": "mi"})
    flags = client.get("/api/load").json()["flags"]
    assert flags and any(" mi" in f["text"] for f in flags)
    assert not any(" km" in f["text"] for f in flags)
    result = client.post("/api/assess", params={"store": False}, json={"answers": {"age": 40}})
    facts = " ".join(f["text"] for f in result.json()["contributing_factors"])
    assert " mi" in facts and " km" not in facts
