"""The session player's pages and the calendar file, as a runner (and a calendar app) meets
them: one entry per day, the time really spent, no command lines and no internal ids, events
at a time of day with a reminder. In-process ASGI client, the real knowledge base; no mocks.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from hipcoach.kb.load import load
from hipcoach.services import local_today

EXAMPLES = Path(__file__).parents[2] / "examples"
GTPS = json.loads((EXAMPLES / "lateral-hip.json").read_text())["answers"]
COMMAND = re.compile(r"`?hipcoach (session|diary|export|plan|assess|import|serve|activities)\b")
IDS = sorted({c.id for c in load().conditions if "_" in c.id or len(c.id) <= 4}, key=len)
RAW_ID = re.compile(r"\b(" + "|".join(IDS[::-1]) + r")\b")


def _text(html: str) -> str:
    """The words a person sees: scripts, styles and tags dropped, whitespace squeezed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())


def _assess(client: TestClient) -> None:
    assert client.post("/api/assess", json={"answers": GTPS}).status_code == 200


def _log_form(client: TestClient, pain: str, done: list[str] | None = None):  # type: ignore[no-untyped-def]
    today = client.get("/api/session/today").json()
    ids = [i["exercise_id"] for i in today["items"]]
    return client.post(
        "/session",
        data={"pain_during": pain, "date": today["date"], "uid_key": today["uid_key"],
              "done": ids if done is None else done},
        follow_redirects=False,
    )  # fmt: skip


# --- one entry per day ----------------------------------------------------------------------


def test_a_day_logged_twice_is_one_entry_in_the_diary_and_the_calendar(client):
    _assess(client)
    first = _log_form(client, "2")
    assert first.status_code == 303 and "replaced" not in first.headers["location"]
    page = _text(client.get("/session").text)
    assert "You logged this day's session already. Saving again replaces that log" in page
    again = _log_form(client, "4", done=[])
    assert again.status_code == 303
    said = _text(client.get(again.headers["location"]).text)
    assert f"This replaces the session you logged earlier for {local_today()}" in said
    assert "0 of 5 exercises done" in said

    logged = client.get("/api/sessions").json()
    assert [s["pain_during"] for s in logged] == [4]
    today = next(
        d for d in client.get("/api/calendar").json()["days"] if d["date"] == str(local_today())
    )
    assert today["done"]["sessions"] == 1 and today["status"] == "partial"
    assert today["done"]["pain_during"] == 4
    calendar = _text(client.get("/programme").text)
    assert calendar.count("(today)") == 1 and "Partly done 0/5" in calendar


# --- the time really spent --------------------------------------------------------------------


def test_the_player_log_keeps_the_time_spent_and_the_page_says_it(client):
    _assess(client)
    items = client.get("/api/session/today").json()["items"]
    played = [
        {"exercise_id": i["exercise_id"], "name": i["name"], "status": "done",
         "sets_planned": i["sets"], "sets_done": i["sets"], "elapsed_s": 150}
        for i in items
    ]  # fmt: skip
    r = client.post("/session", data={"pain_during": "1", "log": json.dumps(played)},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert "5 of 5 exercises done in 12 min" in _text(client.get(r.headers["location"]).text)
    (log,) = client.get("/api/sessions").json()
    assert log["elapsed_s"] == 5 * 150
    bad = dict(played[0], elapsed_s=-3)
    r = client.post("/api/sessions", json={"pain_during": 1, "items": [bad]})
    assert r.status_code == 422 and "elapsed_s" in r.json()["error"]


# --- wording before the next morning ---------------------------------------------------------


def test_nothing_says_the_pain_settled_before_the_next_morning_is_rated(client):
    _assess(client)
    # the page, the player's data (cues included) and the page after saving
    assert "settled" not in client.get("/session").text
    r = _log_form(client, "2")
    said = _text(client.get(r.headers["location"]).text)
    assert "settled" not in said
    assert "If your hip is no worse tomorrow morning: stay at this level" in said
    assert "Nothing changes yet: tomorrow morning's rating decides." in said


def test_the_next_morning_rating_says_what_it_did_to_the_programme(client):
    _assess(client)
    alone = client.post("/session/next-morning", data={"pain": "1", "where": "outer_hip"})
    assert alone.status_code == 200
    assert "Your programme is unchanged: there was no session the day before" in _text(alone.text)

    yesterday = local_today() - timedelta(days=1)
    before = {"pain": 1, "where": "outer_hip", "when": "rest", "date": yesterday.isoformat()}
    assert client.post("/api/diary", json=before).status_code == 201
    r = client.post("/api/sessions", json={"pain_during": 2, "date": yesterday.isoformat()})
    assert r.status_code == 201, r.text
    rated = _text(client.post("/session/next-morning",
                              data={"pain": "1", "where": "outer_hip"}).text)  # fmt: skip
    assert "Your programme: stay at this level" in rated
    assert (
        "Your programme stays at this level. Why: Good session (2/10, settled by the next "
        "morning)" in rated
    )  # now it has been rated, it may say so


# --- no command lines, no internal ids ---------------------------------------------------------


def _pages(client: TestClient) -> dict[str, str]:
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    urls = ["/programme", "/session", f"/session?date={tomorrow}", "/programme/exercises",
            "/programme/running", "/programme/return"]  # fmt: skip
    urls += [f"/programme/exercises/{e['id']}" for e in client.get("/api/exercises").json()]
    pages = {u: client.get(u) for u in urls}
    logged = _log_form(client, "3")
    pages["/session/logged"] = client.get(logged.headers["location"])
    pages["next-morning"] = client.post("/session/next-morning",
                                        data={"pain": "2", "where": "outer_hip"})  # fmt: skip
    assert all(p.status_code == 200 for p in pages.values()), {
        u: p.status_code for u, p in pages.items() if p.status_code != 200
    }
    return {u: _text(p.text) for u, p in pages.items()}


def test_no_page_or_calendar_event_shows_a_command_line_or_a_condition_id(client):
    _assess(client)
    pages = _pages(client)
    assert "Side-lying iliotibial band stretch" in pages["/programme"]  # left out, and why
    for url, text in pages.items():
        assert not COMMAND.search(text), (url, COMMAND.search(text))
        assert not RAW_ID.search(text), (url, RAW_ID.search(text))
    assert "not for Gluteal tendinopathy / trochanteric bursitis" in pages["/programme"]
    ics = Calendar.from_ical(client.get("/api/export/plan.ics").content)
    for event in ics.walk("VEVENT"):
        words = " ".join(str(event.get(k, "")) for k in ("summary", "description", "url"))
        assert not COMMAND.search(words) and not RAW_ID.search(words), words
        assert "phase: " not in words  # the plan's bookkeeping, not for people


def test_calendar_events_link_to_the_web_player_for_that_day(client):
    _assess(client)
    ics = Calendar.from_ical(client.get("/api/export/plan.ics").content)
    sessions = [e for e in ics.walk("VEVENT") if "Exercises:" in str(e.get("description"))]
    assert sessions
    for event in sessions[:3]:
        day = event.decoded("dtstart").astimezone().date()
        link = f"http://testserver/session?date={day.isoformat()}"
        assert str(event["url"]) == link and link in str(event["description"])
        page = client.get(link.removeprefix("http://testserver"))
        assert page.status_code == 200 and "Start the guided session" in page.text
        if day != local_today():
            assert f"Session of {day.strftime('%A %d %B %Y')}" in _text(page.text)
    bad = client.get("/session?date=next-tuesday")
    assert bad.status_code == 422 and "use YYYY-MM-DD" in bad.text


# --- events at a time of day, with a reminder ---------------------------------------------------


def _events(client: TestClient, query: str = "") -> dict[str, object]:
    r = client.get(f"/api/export/plan.ics{query}")
    assert r.status_code == 200, r.text
    return {str(e["uid"]): e for e in Calendar.from_ical(r.content).walk("VEVENT")}


def test_events_are_at_a_time_of_day_with_a_reminder_and_all_day_when_chosen(client):
    _assess(client)
    default = _events(client)
    first = min(default.values(), key=lambda e: e.decoded("dtstart"))  # type: ignore[attr-defined]
    start = first.decoded("dtstart")  # type: ignore[attr-defined]
    assert isinstance(start, datetime) and start.astimezone().strftime("%H:%M") == "18:00"
    assert first.decoded("dtend") > start  # type: ignore[attr-defined]
    alarms = [a for e in default.values() for a in e.walk("VALARM")]  # type: ignore[attr-defined]
    assert alarms and all(a.decoded("trigger") == timedelta(minutes=-15) for a in alarms)

    morning = _events(client, "?at=07:30")
    assert {
        e.decoded("dtstart").astimezone().strftime("%H:%M")  # type: ignore[attr-defined]
        for e in morning.values()
    } == {"07:30"}
    all_day = _events(client, "?all_day=true")
    starts = [e.decoded("dtstart") for e in all_day.values()]  # type: ignore[attr-defined]
    assert all(isinstance(s, date) and not isinstance(s, datetime) for s in starts)
    # importing any of them again updates the same events: the UIDs never change
    assert set(default) == set(morning) == set(all_day) == set(_events(client))


@pytest.mark.parametrize("at", ["25:00", "7pm", "x" * 20])
def test_a_bad_time_of_day_is_refused_with_a_clear_message(client, at):
    _assess(client)
    r = client.get("/api/export/plan.ics", params={"at": at})
    assert r.status_code == 422
    message = r.json()["error"]
    assert "is not a time of day; use HH:MM, e.g. 18:00" in message and len(message) < 120


def test_the_programme_page_offers_the_time_and_all_day_for_the_calendar(client):
    _assess(client)
    page = client.get("/programme").text
    assert 'action="/api/export/plan.ics"' in page
    assert 'name="at" value="18:00"' in page and 'name="all_day"' in page
    assert "with a reminder 15 minutes before" in _text(page)
