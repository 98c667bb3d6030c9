"""Text from imported files is shown as text, never run as markup.

Activity names, descriptions, Strava private notes and shoe names come from files a runner
downloads (or is sent); a name such as ``<img src=x onerror=alert(1)>`` must arrive on
every page, in the API and in the report as the characters it is, escaped. The same
export, imported in a real browser, is checked for dialogs and injected elements in
tests/browser/test_csp_pages.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
)
MARKERS = ("<script>alert", "<img src=x", "<svg onload")
ANSWERS = {"answers": {"age": 45, "location": ["outer_hip"]}}
# Every page a runner can open once there is a history, an assessment and a programme.
PAGES = [
    "/",
    "/training",
    "/training?weeks=52",
    "/assess",
    "/result",
    "/programme",
    "/programme/exercises",
    "/programme/running",
    "/programme/return",
    "/session",
    "/settings",
]
HEADER = [
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
    "Elapsed Time", "Distance", "Activity Private Note", "Activity Gear", "Filename",
]  # fmt: skip


def _gpx(name: str, start: datetime) -> str:
    """A 30-minute run of 31 points with ``name`` (and a description) in the file itself."""
    points = "\n".join(
        f'<trkpt lat="{52.1 + i * 0.0009:.5f}" lon="-0.46"><ele>38</ele>'
        f"<time>{(start + timedelta(minutes=i)).strftime('%Y-%m-%dT%H:%M:%SZ')}</time></trkpt>"
        for i in range(31)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">\n'
        f"<trk><name>{xml_escape(name)}</name><desc>{xml_escape(name)}</desc>"
        f"<type>running</type><trkseg>\n{points}\n</trkseg></trk></gpx>\n"
    )


def payload_export(today: datetime | None = None) -> bytes:
    """A Strava export (zip) of three recent runs whose name, description, private note and
    shoes are each one of the PAYLOADS, the GPX files named the same way."""
    now = (today or datetime.now(UTC)).replace(hour=7, minute=0, second=0, microsecond=0)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i, p in enumerate(PAYLOADS):
            start = now - timedelta(days=2 + 2 * i)
            date = start.strftime("%b %d, %Y, %I:%M:%S %p").replace(" 0", " ")
            path = f"activities/{100 + i}.gpx"
            writer.writerow([100 + i, date, p, "Run", p, 1800, "3.33", p, p, path])
            z.writestr(f"export_1/{path}", _gpx(p, start))
        z.writestr("export_1/activities.csv", out.getvalue())
    return buf.getvalue()


def wait_for(client: TestClient, job: dict[str, Any]) -> dict[str, Any]:
    for _ in range(1200):  # a bounded wait for the background import, not a timing check
        if job["state"] != "running":
            return job
        time.sleep(0.05)
        job = client.get(f"/api/imports/{job['id']}").json()
    raise AssertionError(f"the import did not finish: {job}")


def _no_raw_payload(text: str, where: str) -> None:
    for marker in MARKERS:
        assert marker not in text, f"{where} holds {marker!r} unescaped"


@pytest.fixture
def imported(client: TestClient) -> TestClient:
    """History imported through the upload form, a hip check, and a diary note: all text."""
    files = {"files": ("export_1.zip", payload_export(), "application/zip")}
    r = client.post("/training/upload", files=files, follow_redirects=False)
    assert r.status_code == 303, r.text
    job = wait_for(client, {"state": "running", "id": r.headers["location"].rsplit("/", 1)[-1]})
    assert job["state"] == "done", job
    assert job["summary"]["imported_activities"] == len(PAYLOADS), job
    r = client.post("/api/assess", json=ANSWERS)
    assert r.status_code == 200, r.text
    r = client.post(
        "/training/diary",
        data={"pain": "3", "where": "outer_hip", "when": "after", "note": PAYLOADS[2]},
    )
    assert r.status_code == 200, r.text
    return client


def test_every_page_shows_imported_names_only_escaped(imported: TestClient):
    for path in PAGES:
        r = imported.get(path)
        assert r.status_code == 200, (path, r.status_code)
        _no_raw_payload(r.text, path)
    training = imported.get("/training").text
    for p in PAYLOADS:
        # In the activities table (name, shoes) and the shoes list, as text.
        assert training.count(str(escape(p))) >= 2, f"{p!r} not shown escaped on /training"


def test_the_api_returns_the_names_as_json_strings_never_as_html(imported: TestClient):
    r = imported.get("/api/activities")
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-content-type-options"] == "nosniff"  # never sniffed as a page
    acts = r.json()
    assert {a["name"] for a in acts} == set(PAYLOADS)
    assert {a["gear"] for a in acts} == set(PAYLOADS)
    # The charts (and so their tooltips) carry numbers and week labels, no file's text.
    for name in imported.get("/api/charts").json():
        r = imported.get(f"/api/charts/{name}")
        assert r.status_code == 200
        _no_raw_payload(r.text, f"/api/charts/{name}")
    diary = imported.get("/api/diary").json()
    assert diary[-1]["note"] == PAYLOADS[2]


def test_the_reports_hold_the_text_only_escaped(imported: TestClient):
    html = imported.get("/api/export/report.html")
    assert html.status_code == 200
    _no_raw_payload(html.text, "report.html")
    assert "<script" not in html.text.lower()
    # Saved and opened from disk there is no server policy: the file carries its own.
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html.text)
    assert policy is not None and "default-src 'none'" in policy.group(1)
    assert "script-src" not in policy.group(1)  # falls back to 'none'
    pdf = imported.get("/api/export/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_data_export_keeps_the_text_exactly(imported: TestClient):
    """The export is data, not a page: the names come back exactly as imported."""
    r = imported.get("/api/export/data.zip")
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        rows = list(csv.DictReader(io.StringIO(z.read("activity.csv").decode("utf-8"))))
    assert {row["name"] for row in rows} == set(PAYLOADS)
    assert {row["gear"] for row in rows} == set(PAYLOADS)
    for row in rows:  # the description and the private note, kept together as notes
        assert row["name"] in row["notes"], row["notes"]


def test_a_json_data_island_cannot_close_its_script_element():
    """Pages put JSON in ``<script type="application/json">`` with Jinja's ``tojson``,
    which writes <, > and & (and ') as \\u escapes: no text can end the element early."""
    from hipcoach.web.pages import templates

    tricky = {"note": "</script><script>alert(1)</script><!--", "amp": "&lt;'"}
    out = templates.env.from_string("{{ d|tojson }}").render(d=tricky)
    assert not set("<>&'") & set(out), out
    assert json.loads(out) == tricky


def test_an_upload_named_like_markup_is_reported_as_text(client: TestClient):
    """A file's own name is shown when it is skipped: as text too."""
    r = client.put("/api/uploads/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.gpx", content=b"nope")
    assert r.status_code == 201, r.text
    job = client.post("/api/imports", json={"uploads": [r.json()["upload"]]}).json()
    job = wait_for(client, job)
    page = client.get(f"/training/imports/{job['id']}").text
    _no_raw_payload(page, "the import page")
    assert str(escape(PAYLOADS[1])) in page
    # The JSON is data: the name as it is (training.js shows it with textContent).
    assert job["summary"]["skipped"][0]["name"] == PAYLOADS[1] + ".gpx"
