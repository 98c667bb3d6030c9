"""Each imported activity's page, through the app: real files imported with `hipcoach import`,
the training table linking to them, splits and pace in the runner's units, the route and
lines drawn as SVG without inline code, that day's pain, and plain notes where the file has
no GPS, no file at all, or has gone."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

DATA = Path(__file__).parents[1] / "data"
FENIX = DATA / "fit" / "activity-small-fenix2-run.fit"  # 9 km, Norway, 15 Aug 2015 16:45 local
FENIX_ID = "20150815T144508Z"
TCX = DATA / "tcx" / "run_garmin.tcx"  # 2.2 km with heart rate, no time zone in the file
TCX_ID = "20181125T072049Z"
INDOOR = DATA / "fit" / "hrv-activity.fit"  # cycling indoors: distance and HR, no GPS
STRAVA_ID = "20220529T155335Z"
MANUAL_ID = "20220601T060000Z"
HOSTILE_NAME = '<img src=x onerror="alert(1)">Park run'
HOSTILE_GEAR = "<script>alert(2)</script>Pegasus"


def strava_export(folder: Path) -> Path:
    """The real Strava export fixture with a hostile name and shoe on its run, and a manual
    entry (a row without a file) added to activities.csv."""
    dest = folder / "strava"
    shutil.copytree(DATA / "strava_export", dest)
    path = dest / "activities.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header, run = rows[0], rows[1]
    run[header.index("Activity Name")] = HOSTILE_NAME
    run[header.index("Activity Gear")] = HOSTILE_GEAR
    manual = [""] * len(header)
    values = {
        "Activity ID": "2",
        "Activity Date": "Jun 1, 2022, 6:00:00 AM",
        "Activity Name": "Treadmill by hand",
        "Activity Type": "Run",
        "Elapsed Time": "1800",
    }
    for i, h in enumerate(header):
        manual[i] = values.get(h, "")
    first, second = (i for i, h in enumerate(header) if h == "Distance")
    manual[first], manual[second] = "5.0", "5000.0"  # Strava's km column, then metres
    out = io.StringIO()
    csv.writer(out).writerows([header, run, manual])
    path.write_text(out.getvalue(), encoding="utf-8")
    return dest


@pytest.fixture
def imported(cli, client, tmp_path):  # type: ignore[no-untyped-def]
    result = cli("import", str(FENIX), str(TCX), str(INDOOR), str(strava_export(tmp_path)))
    assert result.exit_code == 0, result.stdout
    return client


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _page_id(start_utc: str) -> str:
    return start_utc.replace("-", "").replace(":", "").replace("+0000", "Z")


def test_every_row_of_the_activity_table_links_to_its_page_with_a_pace(imported: TestClient):
    html = imported.get("/training").text
    start = html.index('<table class="activities">')
    table = html[start : html.index("</table>", start)]
    links = list(dict.fromkeys(re.findall(r'href="(/training/activity/[^"]+)"', table)))
    acts = imported.get("/api/activities").json()
    assert len(acts) == 5
    assert sorted(links) == sorted(f"/training/activity/{_page_id(a['start_utc'])}" for a in acts)
    assert [a["id"] for a in acts] == [_page_id(a["start_utc"]) for a in acts]  # the API names it
    assert {FENIX_ID, TCX_ID, STRAVA_ID, MANUAL_ID} <= {link.rsplit("/", 1)[1] for link in links}
    assert '<th scope="col" class="num">Pace</th>' in table
    assert "5:14 /km" in _text(table)  # the fenix run: 47:12 over 9.01 km
    assert "6:00 /km" in _text(table)  # the manual entry: 30:00 over 5 km
    for link in links:
        assert imported.get(link).status_code == 200, link


def test_the_page_shows_summary_splits_route_and_lines_in_local_time(imported: TestClient):
    r = imported.get(f"/training/activity/{FENIX_ID}")
    assert r.status_code == 200
    words = _text(r.text)
    assert "Saturday 15 August 2015, 16:45 (UTC+02:00" in words  # the watch's own time zone
    assert "9.01 km" in words and "47:12" in words and "5:14 /km" in words
    assert "178 max" in words  # heart rate from the samples: the file's summary has none
    assert "Splits per kilometre" in words
    splits = r.text[r.text.index('<table class="splits">') :]
    rows = re.findall(r"<tr><th scope=\"row\">", splits[: splits.index("</table>")])
    assert len(rows) == 9
    assert "5:17 /km" in _text(splits) and "4:10 /km" in _text(splits)
    # the route: a polyline, start and finish marks, a marker per km
    assert r.text.count('class="km-marker"') == 9
    assert 'class="start-mark"' in r.text and 'class="finish-mark"' in r.text
    for key in ("pace", "heart_rate", "cadence", "altitude"):
        assert f'id="chart-{key}"' in r.text
    assert "Average 154 bpm, highest 178 bpm." in words


def test_splits_and_pace_follow_the_unit_setting(imported: TestClient, monkeypatch):
    monkeypatch.setenv("HIPCOACH_UNITS", "mi")
    data = imported.get(f"/api/activities/{FENIX_ID}").json()
    assert data["units"] == "mi"
    assert data["summary"]["Distance"] == "5.60 mi"
    assert data["summary"]["Pace"] == "8:26 /mi"
    assert [s["partial"] for s in data["splits"]] == [False] * 5 + [True]
    assert all(s["pace"].endswith(" /mi") for s in data["splits"])
    html = imported.get(f"/training/activity/{FENIX_ID}").text
    assert "Splits per mile" in html and html.count('class="km-marker"') == 5


def test_heights_are_in_feet_for_a_runner_who_reads_miles(imported: TestClient, monkeypatch):
    def heights(html: str) -> tuple[list[int], str, list[str]]:
        words = _text(html)
        found = re.search(r"Between (-?\d+) (\w+) and (-?\d+) \w+ above sea level", words)
        assert found is not None, "the elevation chart says its range"
        splits = html[html.index('<table class="splits">') :]
        cells = re.findall(r'<td class="num">([^<]*)</td></tr>', splits[: splits.index("</table>")])
        return [int(found.group(1)), int(found.group(3))], found.group(2), cells

    metres, m_unit, m_cells = heights(imported.get(f"/training/activity/{FENIX_ID}").text)
    monkeypatch.setenv("HIPCOACH_UNITS", "mi")
    feet, ft_unit, ft_cells = heights(imported.get(f"/training/activity/{FENIX_ID}").text)
    assert (m_unit, ft_unit) == ("m", "ft")
    for m, ft in zip(metres, feet, strict=True):
        assert abs(ft - m / 0.3048) <= 2, (m, ft)
    assert all(c.endswith(" m") for c in m_cells if c != "—")
    assert ft_cells and all(c.endswith(" ft") for c in ft_cells if c != "—")
    # The API stays in SI whatever the setting.
    assert "elevation_m" in imported.get(f"/api/activities/{FENIX_ID}").json()["splits"][0]


def test_imported_text_is_escaped_everywhere(imported: TestClient):
    for url in ("/training", f"/training/activity/{STRAVA_ID}"):
        html = imported.get(url).text
        assert "<img src=x" not in html and "<script>alert" not in html
        assert "&lt;img src=x onerror=" in html
    page = imported.get(f"/training/activity/{STRAVA_ID}").text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;Pegasus" in page  # the shoe


def test_the_pages_need_no_inline_script_or_style(imported: TestClient):
    html = imported.get(f"/training/activity/{FENIX_ID}").text
    assert " style=" not in html and "<style" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert ' src="/static/' in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"<[^>]*\son[a-z]+=", html)  # no inline event handlers
    assert imported.get("/static/activity.js").status_code == 200
    assert imported.get("/static/activity.css").status_code == 200


def test_a_run_without_gps_has_no_route_and_says_why(imported: TestClient):
    acts = imported.get("/api/activities").json()
    indoor = next(a for a in acts if a["sport"] == "cycling")
    key = _page_id(indoor["start_utc"])
    data = imported.get(f"/api/activities/{key}").json()
    assert data["route"] is None
    assert any("no GPS positions" in n for n in data["notes"])
    assert data["splits"] and "heart_rate" in data["series"]
    html = imported.get(f"/training/activity/{key}").text
    assert 'class="route-map"' not in html and "No route: the file has no GPS positions" in html


def test_a_manual_entry_shows_its_summary_and_a_plain_note(imported: TestClient):
    r = imported.get(f"/training/activity/{MANUAL_ID}")
    assert r.status_code == 200
    words = _text(r.text)
    assert "Treadmill by hand" in words and "30:00" in words
    assert "This is a manual entry, with no activity file" in words
    assert 'class="splits"' not in r.text


def test_a_kept_copy_that_has_gone_still_gives_the_summary(imported: TestClient, home_dir):
    data = imported.get(f"/api/activities/{TCX_ID}").json()
    (home_dir / data["activity"]["original_copy"]).unlink()
    r = imported.get(f"/training/activity/{TCX_ID}")
    assert r.status_code == 200
    words = _text(r.text)
    assert "2.15 km" in words and "Only the summary is shown: its kept copy" in words
    assert "(UTC+01:00, where it was recorded)" in words  # La Rochelle, from its GPS track


def test_that_days_pain_is_on_the_page(imported: TestClient):
    r = imported.post(
        "/api/diary",
        json={"pain": 4, "where": "outer_hip", "when": "after", "date": "2015-08-15",
              "note": "<b>sore</b> after the hills"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    html = imported.get(f"/training/activity/{FENIX_ID}").text
    pain = _text(html[html.index('id="pain-title"') :])
    assert "4/10" in pain and "&lt;b&gt;sore&lt;/b&gt; after the hills" in html
    other = _text(imported.get(f"/training/activity/{TCX_ID}").text)
    assert "No pain rated on 25 Nov 2018" in other


@pytest.mark.parametrize("key", ["nonsense", "20150815T144509Z", "20151315T144508Z", "x" * 500])
def test_an_unknown_id_is_a_404_with_a_short_message(imported: TestClient, key: str):
    page = imported.get(f"/training/activity/{key}")
    assert page.status_code == 404
    assert "x" * 100 not in page.text
    api = imported.get(f"/api/activities/{key}")
    assert api.status_code == 404
    assert "listed on /training" in api.json()["error"] and len(api.json()["error"]) < 200


def test_an_empty_store_has_no_activity_pages(client: TestClient):
    assert client.get(f"/training/activity/{FENIX_ID}").status_code == 404


def test_the_favicon_is_served_and_linked(client: TestClient):
    r = client.get("/favicon.ico", follow_redirects=False)
    assert r.status_code in (301, 308) and r.headers["location"] == "/static/favicon.svg"
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/training").text
