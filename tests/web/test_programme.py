"""The programme and session pages and their API, as a runner (and a calendar app) sees them.

In-process client, a private data folder, the real knowledge base and engine; no mocks.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from pypdf import PdfReader

from hipcoach.plan.schedule import SessionItem
from hipcoach.services import local_today
from hipcoach.sessions.steps import session_steps

EXAMPLES = Path(__file__).parents[2] / "examples"
CASES = Path(__file__).parents[1] / "cases"


def _case(file: str, case_id: str) -> dict[str, object]:
    for line in (CASES / file).read_text().splitlines():
        if line.strip():
            case = json.loads(line)
            if case["id"] == case_id:
                return dict(case["answers"])
    raise LookupError(case_id)


GTPS = json.loads((EXAMPLES / "lateral-hip.json").read_text())["answers"]
URGENT = _case("conditions.jsonl", "fnsf-typical-1")
SELF_CARE = _case("self_care.jsonl", "sc-post-long-run")


def _assess(client: TestClient, answers: dict[str, object]) -> dict[str, object]:
    r = client.post("/api/assess", json={"answers": answers})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _text(html: str) -> str:
    """The page's visible words, roughly: tags dropped, whitespace squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


# --- no assessment --------------------------------------------------------------------------


def test_without_an_assessment_the_pages_send_you_to_the_hip_check(client):
    page = client.get("/programme")
    assert page.status_code == 200
    assert "Do the hip check first" in page.text and 'href="/assess"' in page.text
    session = client.get("/session")
    assert "Do the hip check first" in session.text
    r = client.get("/api/session/today")
    assert r.status_code == 422 and "hip check" in r.json()["error"]
    assert client.get("/api/export/report.pdf").status_code == 422


# --- a programme that respects the contraindications ------------------------------------------


def test_gluteal_tendinopathy_gets_a_programme_without_the_itb_stretch(client):
    _assess(client, GTPS)
    page = client.get("/programme")
    text = _text(page.text)
    assert "Today," in text and "Start today's session" in text
    linked = set(re.findall(r'href="/programme/exercises/([a-z_]+)"', page.text))
    assert linked, "the phases and today's session link their exercises"
    assert "iliotibial_band_stretch" not in linked
    assert "clamshell" not in linked  # never_for gtps too
    # ... and the page says why it is left out, so nobody adds it back
    assert "Side-lying iliotibial band stretch" in text
    assert "presses the gluteal tendons" in text
    for ex in linked:
        assert f'src="/illustrations/{ex}.svg"' in page.text


def test_a_self_care_result_gets_a_programme_and_a_session(client):
    result = _assess(client, SELF_CARE)
    assert result["urgency"]["level"] == "self_care"  # type: ignore[index]
    today = client.get("/api/session/today").json()
    plan = client.get("/api/plan").json()
    given = {e for p in plan["phases"] for e in p["exercises"]}
    assert given and today["no_programme"] is None
    # the phases' exercises, between a warm-up and a cool-down
    ids = [i["exercise_id"] for i in today["items"]]
    assert ids[0] == "warm_up" and ids[-1] == "cool_down" and set(ids[1:-1]) <= given


def test_an_urgent_result_gets_no_exercises_and_says_to_see_a_professional(client):
    result = _assess(client, URGENT)
    assert result["urgency"]["level"] == "urgent"  # type: ignore[index]
    page = client.get("/programme")
    text = _text(page.text)
    assert "See a professional" in text and "no exercises" in text
    assert "/illustrations/" not in page.text
    assert 'href="/session"' not in page.text
    assert "plan.ics" not in page.text
    assert "report.pdf" in page.text  # the report is for the doctor: still offered
    today = client.get("/api/session/today").json()
    assert today["items"] == [] and today["steps"] == [] and today["no_programme"]
    session = client.get("/session")
    assert "See a professional" in session.text and "session-data" not in session.text
    assert client.get("/api/export/plan.ics").status_code == 422


# --- the exercise library -------------------------------------------------------------------


def test_the_library_filters_by_kind_and_every_drawing_has_alt_text(client):
    page = client.get("/programme/exercises", params={"kind": "stretch"})
    assert page.status_code == 200
    api = client.get("/api/exercises", params={"kind": "stretch"}).json()
    assert api and {e["kind"] for e in api} == {"stretch"}
    assert len(re.findall(r'class="card tile"', page.text)) == len(api)
    alts = re.findall(r'<img src="/illustrations/[a-z_]+\.svg" alt="([^"]*)"', page.text)
    assert len(alts) == len(api) and all(a.startswith("Line drawing: ") for a in alts)
    everything = client.get("/api/exercises").json()
    assert len(everything) > len(api)


def test_an_exercise_page_shows_steps_dosage_sources_and_never_for_with_the_reason(client):
    ex = client.get("/api/exercises/iliotibial_band_stretch").json()
    assert "gtps" in ex["never_for"] and ex["never_for_reason"]
    page = client.get("/programme/exercises/iliotibial_band_stretch")
    text = _text(page.text)
    # conditions by their short names from the knowledge base, never by internal ids
    assert "Never for" in text and "Gluteal tendinopathy / trochanteric bursitis" in text
    assert "gtps" not in text
    assert ex["steps"][0][:40] in text
    assert ex["dosage_text"] in text and "Sources:" in text
    assert f'alt="{ex["illustration_alt"]}"' in page.text
    svg = client.get(ex["illustration_url"])
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.lstrip().startswith("<svg")


def test_unknown_exercises_and_drawings_are_404(client):
    assert client.get("/api/exercises/moonwalk").status_code == 404
    assert "moonwalk" in client.get("/api/exercises/moonwalk").json()["error"]
    assert client.get("/programme/exercises/moonwalk").status_code == 404
    assert client.get("/illustrations/moonwalk.svg").status_code == 404
    assert client.get("/illustrations/..%2Fexercises.yaml.svg").status_code == 404


# --- today's session ------------------------------------------------------------------------


def test_the_session_page_is_a_player_with_steps_and_says_it_needs_javascript(client):
    _assess(client, GTPS)
    page = client.get("/session")
    assert page.status_code == 200
    assert "<noscript>" in page.text and "needs" in page.text
    assert '<script src="/static/player.js"' in page.text
    assert '<link rel="stylesheet" href="/static/programme.css">' in page.text
    assert not re.search(r'(src|href)="(https?:)?//', page.text.split("<main")[0])
    assert not re.search(r'<script[^>]+src="(https?:)?//', page.text)
    data = json.loads(
        re.search(r'id="session-data">(.*?)</script>', page.text, re.S).group(1)  # type: ignore[union-attr]
    )
    assert data["session"]["steps"][0]["kind"] == "get_ready"
    for control in ("p-pause", "p-skip", "p-repeat", "p-quit", "p-next", "p-mute", "p-full"):
        assert f'id="{control}"' in page.text
    js = client.get("/static/player.js")
    assert js.status_code == 200 and "wakeLock" in js.text and "AudioContext" in js.text
    assert "fetch(" not in js.text and "//cdn" not in js.text
    assert client.get("/static/programme.css").status_code == 200


def test_steps_follow_the_terminal_player_holds_per_side_with_switches_and_rests():
    item = SessionItem("x", "Side hold", sets=2, reps=2, hold_s=30, per_side=True, rest_s=45)
    steps = session_steps([item], get_ready_s=5, between_s=5)
    kinds = [s.kind for s in steps]
    assert kinds[0] == "get_ready"
    assert kinds.count("hold") == 2 * 2 * 2  # sets × holds × sides
    # the dosage's rest between the sets and between two holds of a set, never a constant
    rests = [s for s in steps if s.kind == "rest"]
    assert [r.label for r in rests] == [
        "Rest, then hold 2 of 2", "Rest, then set 2 of 2", "Rest, then hold 2 of 2"
    ]  # fmt: skip
    assert {r.seconds for r in rests} == {45}
    assert kinds.count("switch") == 2 * 2  # sets × holds: left → right
    holds = [s for s in steps if s.kind == "hold"]
    assert [h.side for h in holds[:4]] == ["left", "right", "left", "right"]
    assert holds[0].label == "Hold — left side · set 1/2 · hold 1/2"
    reps = session_steps([SessionItem("y", "Bridge", sets=1, reps=12)], get_ready_s=0)
    assert [(s.kind, s.reps, s.seconds) for s in reps] == [("reps", 12, None)]


def test_todays_session_matches_plan_json_and_the_calendar_matches_it_too(client, cli):
    _assess(client, GTPS)
    plan = json.loads(cli("plan", "--json").stdout)
    today = client.get("/api/session/today").json()
    first = plan["days"][0]
    assert today["date"] == first["date"] and today["uid_key"] == first["uid_key"]
    # the same session everywhere: framed by a warm-up first and a cool-down last
    assert today["items"] == first["items"]
    assert [first["items"][0]["exercise_id"], first["items"][-1]["exercise_id"]] == [
        "warm_up", "cool_down"
    ]  # fmt: skip
    assert len(today["dosage"]) == len(today["items"])
    assert client.get("/api/plan").json() == plan
    cal = client.get("/api/calendar").json()
    planned = {d["date"]: d["planned"] for d in cal["days"] if d["planned"]}
    for day in plan["days"]:
        if day["date"] in planned:
            assert planned[day["date"]] == day


# --- logging a session ----------------------------------------------------------------------


def _played(client: TestClient, status: str = "done") -> list[dict[str, object]]:
    items = client.get("/api/session/today").json()["items"]
    return [
        {"exercise_id": i["exercise_id"], "name": i["name"], "status": status,
         "sets_planned": i["sets"], "sets_done": i["sets"] if status == "done" else 0}
        for i in items
    ]  # fmt: skip


def test_a_logged_session_is_done_in_the_calendar_and_the_progression_follows_the_pain(client):
    _assess(client, GTPS)
    r = client.post("/api/sessions", json={"pain_during": 1, "items": _played(client)})
    assert r.status_code == 201, r.text
    calm = r.json()
    assert calm["progression"]["action"] == "hold"
    assert "1 of 3" in calm["progression"]["reason"]
    assert calm["session"]["pain_during"] == 1
    day = next(
        d for d in client.get("/api/calendar").json()["days"] if d["date"] == str(local_today())
    )
    assert day["status"] == "done" and day["done"]["pain_during"] == 1
    assert day["done"]["items_done"] == day["done"]["items_logged"] > 0

    sore = client.post("/api/sessions", json={"pain_during": 4}).json()["progression"]
    assert sore["action"] == "hold" and "acceptable" in sore["reason"]
    worse = client.post("/api/sessions", json={"pain_during": 8}).json()["progression"]
    assert worse["action"] == "step_back" and worse["final"] and worse["words"] == "Go back a step"
    logged = client.get("/api/sessions").json()
    assert [s["pain_during"] for s in logged] == [8]  # the same day logged again: one entry
    page = _text(client.get("/programme").text)
    assert "Done 3/3" in page or re.search(r"Done \d+/\d+", page)
    assert "pain 8/10" in page


def test_the_session_form_logs_and_shows_the_progression_in_words(client):
    _assess(client, GTPS)
    today = client.get("/api/session/today").json()
    first = today["items"][0]["exercise_id"]
    r = client.post(
        "/session",
        data={"pain_during": "2", "date": today["date"], "uid_key": today["uid_key"],
              "done": [first]},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    done = client.get(r.headers["location"])
    text = _text(done.text)
    assert "Session saved" in text and "1 of 5 exercises done" in text
    assert "If your hip is no worse tomorrow morning: stay at this level" in text
    log = client.get("/api/sessions").json()[-1]
    assert [i["status"] for i in log["items"]] == ["done"] + ["skipped"] * 4
    assert log["uid_key"] == today["uid_key"]


def test_the_players_log_is_stored_as_the_terminal_player_would(client):
    _assess(client, GTPS)
    played = _played(client)
    played[0] |= {"holds": {"left": 5, "right": 5}, "seconds": 300}
    r = client.post(
        "/session", data={"pain_during": "0", "log": json.dumps(played)}, follow_redirects=False
    )
    assert r.status_code == 303
    log = client.get("/api/sessions").json()[-1]
    assert log["items"][0]["holds"] == {"left": 5, "right": 5}


@pytest.mark.parametrize("pain", [11, -1, "abc", 2.5, None, ""])
def test_invalid_pain_is_a_422_with_one_clear_message(client, pain):
    _assess(client, GTPS)
    r = client.post("/api/sessions", json={"pain_during": pain})
    assert r.status_code == 422
    assert r.json()["error"].startswith("pain_during: pain must be a whole number from 0 to 10")
    assert client.get("/api/sessions").json() == []


def test_a_session_without_pain_or_with_a_damaged_log_is_refused_clearly(client):
    _assess(client, GTPS)
    r = client.post("/api/sessions", json={})
    assert r.status_code == 422 and r.json()["error"] == "pain_during: Field required"
    r = client.post("/api/sessions", json={"pain_during": 1, "items": [{"status": "meh"}]})
    assert r.status_code == 422 and r.json()["error"].startswith("items.0.")
    future = (local_today() + timedelta(days=2)).isoformat()
    r = client.post("/api/sessions", json={"pain_during": 1, "date": future})
    assert r.status_code == 422 and "future" in r.json()["error"]


@pytest.mark.parametrize("pain", ["11", "abc", ""])
def test_the_form_comes_back_with_the_message_on_invalid_pain(client, pain):
    _assess(client, GTPS)
    r = client.post("/session", data={"pain_during": pain, "done": []})
    assert r.status_code == 422
    assert "Pain must be a whole number from 0 to 10" in r.text
    assert 'role="alert"' in r.text and 'aria-invalid="true"' in r.text
    assert 'name="pain_during" min="0"' in r.text
    assert client.get("/api/sessions").json() == []


def test_next_morning_pain_moves_the_programme(client):
    _assess(client, GTPS)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    client.post("/api/sessions", json={"pain_during": 2, "date": yesterday})
    page = client.get("/programme").text
    assert "How is your hip this morning?" in page
    r = client.post("/api/sessions/next-morning", json={"pain": 9, "where": "outer_hip"})
    assert r.status_code == 200, r.text
    assert r.json()["progression"].startswith("step_back:")
    assert client.get("/api/sessions").json()[0]["pain_next_morning"] == 9
    assert "How is your hip this morning?" not in client.get("/programme").text
    bad = client.post("/api/sessions/next-morning", json={"pain": 3, "where": "elbow"})
    assert bad.status_code == 422 and "where must be one of" in bad.json()["error"]


def test_the_next_morning_form_says_what_happens_and_refuses_bad_input(client):
    _assess(client, GTPS)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    client.post("/api/sessions", json={"pain_during": 1, "date": yesterday})
    bad = client.post("/session/next-morning", data={"pain": "eleven", "where": "outer_hip"})
    assert bad.status_code == 422 and "Pain must be a whole number" in bad.text
    ok = client.post("/session/next-morning", data={"pain": "0", "where": "outer_hip"})
    assert ok.status_code == 200
    assert "Your programme: stay at this level" in _text(ok.text)


# --- downloads ------------------------------------------------------------------------------


def _events(ics: bytes, base: str = "") -> list[dict[str, str]]:
    """Each event's fields as text, without the moment of the export (``base`` of links
    replaced by the address `hipcoach serve` uses by default)."""
    return [
        {
            k: e[k].to_ical().decode().replace(base or "\0", "http://127.0.0.1:8765/")
            for k in e
            if k not in ("DTSTAMP", "LAST-MODIFIED")
        }
        for e in Calendar.from_ical(ics).walk("VEVENT")
    ]


def test_the_ical_download_has_the_plan_days_and_matches_the_cli(client, cli, tmp_path):
    _assess(client, GTPS)
    r = client.get("/api/export/plan.ics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    assert 'filename="hipcoach-plan.ics"' in r.headers["content-disposition"]
    cal = Calendar.from_ical(r.content)
    events = [e for e in cal.walk("VEVENT")]
    plan = client.get("/api/plan").json()
    starts = {e.decoded("dtstart").astimezone().date() for e in events}
    assert {date.fromisoformat(d["date"]) for d in plan["days"]} <= starts
    assert any("Rehab" in str(e.get("summary")) for e in events)
    out = tmp_path / "plan.ics"
    cli("export", "ical", str(out))
    # the same events; the web's links point at the server it came from, the CLI's at the
    # address `hipcoach serve` uses by default
    assert _events(out.read_bytes()) == _events(r.content, "http://testserver/")


def test_the_pdf_and_html_reports_carry_the_plan_and_match_the_cli(client, cli, tmp_path):
    _assess(client, GTPS)
    today = client.get("/api/session/today").json()
    r = client.get("/api/export/report.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-disposition"].endswith('.pdf"')
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Current exercise programme" in text
    assert today["items"][1]["name"][:25] in text  # the first after the warm-up
    html = client.get("/api/export/report.html")
    assert html.status_code == 200 and html.headers["content-disposition"].endswith('.html"')
    out = tmp_path / "report.html"
    cli("export", "report", str(out))
    assert html.text == out.read_text(encoding="utf-8")


def test_the_data_download_is_a_zip_of_csvs_like_the_cli(client, cli, tmp_path):
    _assess(client, GTPS)
    client.post("/api/sessions", json={"pain_during": 2})
    r = client.get("/api/export/data.zip")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert re.search(
        r'filename="hipcoach-data-\d{4}-\d\d-\d\d\.zip"', r.headers["content-disposition"]
    )
    web = zipfile.ZipFile(io.BytesIO(r.content))
    names = set(web.namelist())
    assert {"session_log.csv", "assessment.csv", "hipcoach-data.json"} <= names
    rows = web.read("session_log.csv").decode().splitlines()
    assert len(rows) == 2 and rows[0].startswith("id,")
    out = tmp_path / "data.zip"
    cli("export", "data", str(out))
    mine = zipfile.ZipFile(out)
    assert set(mine.namelist()) == names
    for name in names - {"hipcoach-data.json"}:
        assert mine.read(name) == web.read(name)


def test_the_programme_page_links_the_downloads_and_the_schema_lists_the_api(client):
    _assess(client, GTPS)
    page = client.get("/programme").text
    for link in ("/api/export/plan.ics", "/api/export/report.pdf", "/api/export/data.zip"):
        assert f'href="{link}"' in page
        assert client.get(link).status_code == 200
    paths = set(client.get("/api/openapi.json").json()["paths"])
    assert {
        "/api/exercises", "/api/exercises/{exercise_id}", "/api/session/today",
        "/api/sessions", "/api/sessions/next-morning", "/api/calendar",
        "/api/export/plan.ics", "/api/export/report.pdf", "/api/export/data.zip",
    } <= paths  # fmt: skip


def test_a_new_assessment_replans_but_keeps_what_was_planned_before(client):
    _assess(client, GTPS)
    client.post("/api/sessions", json={"pain_during": 1})
    _assess(client, URGENT)
    cal = client.get("/api/calendar").json()["days"]
    today = next(d for d in cal if d["date"] == str(local_today()))
    assert today["status"] == "done"  # the logged session stays in the calendar
    assert not [d for d in cal if d["date"] > str(local_today()) and d["planned"]]
