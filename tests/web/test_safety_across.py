"""One safety policy, across features: once the latest hip check says "see a doctor today,
stop running", nothing the runner followed before — a rehab programme, the walk-run, a
build-up plan — survives in any page, API, session, calendar or export."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

from icalendar import Calendar
from pypdf import PdfReader

from scenario_cases import case_answers

EXAMPLES = Path(__file__).parents[2] / "examples"
CHECKS = ("walk", "single_leg_stance", "single_leg_squat", "jog_on_spot", "hop")


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _follow_everything(client) -> None:  # type: ignore[no-untyped-def]
    """A gluteal tendinopathy: the programme, then the walk-run (checks passed), then — having
    said they run pain-free again — a build-up plan."""
    lateral = json.loads((EXAMPLES / "lateral-hip.json").read_text())["answers"]
    assert client.post("/api/assess", json={"answers": lateral}).status_code == 200
    assert client.get("/api/session/today").json()["items"]
    client.post("/programme/return/checks", data={f"check_{c}": "0" for c in CHECKS})
    assert client.post("/programme/return", follow_redirects=False).status_code == 303
    client.post("/programme/recovered")
    r = client.post("/programme/running", data={"goal": "10k", "weeks": "12", "weekly": "20"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    cal = Calendar.from_ical(client.get("/api/export/plan.ics").content)
    assert any("run" in str(e["summary"]).lower() for e in cal.walk("VEVENT"))
    today = client.get("/api/session/today").json()["date"]
    ahead = [d for d in client.get("/api/calendar").json()["days"]
             if d["date"] >= today and d.get("planned") and d["planned"]["kind"] != "rest"]
    assert ahead  # so the checks after the urgent result below are not empty by accident


def test_a_new_same_day_result_clears_every_plan_from_every_feature(client):
    _follow_everything(client)
    urgent = case_answers("red_flags.jsonl", "rf-fnsf-walking")
    r = client.post("/api/assess", json={"answers": urgent})
    assert r.json()["urgency"]["level"] == "urgent"

    today = client.get("/api/session/today").json()
    assert today["items"] == [] and today["no_programme"]
    days = client.get("/api/calendar").json()["days"]
    planned = [d for d in days if d.get("planned")]
    future = [d for d in planned if d["date"] >= today["date"]]
    assert all(d["planned"]["kind"] == "rest" for d in future), future[:3]

    ics = client.get("/api/export/plan.ics")
    if ics.status_code == 200:
        events = Calendar.from_ical(ics.content).walk("VEVENT")
        upcoming = [e for e in events if e.decoded("dtstart").isoformat() >= today["date"]]
        assert not any(
            w in str(e["summary"]).lower() for e in upcoming for w in ("run", "rehab", "strength")
        )
    else:
        assert ics.status_code == 422

    pdf = PdfReader(io.BytesIO(client.get("/api/export/report.pdf").content))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Clamshell" not in text and "Easy run" not in text

    with zipfile.ZipFile(io.BytesIO(client.get("/api/export/data.zip").content)) as z:
        doc = json.loads(z.read("hipcoach-data.json"))
    upcoming_plan = [d for d in doc["plan"] if d["day"] >= today["date"]]
    assert all(d["kind"] == "rest" and not d.get("items") for d in upcoming_plan)

    page = _text(client.get("/programme").text)
    assert "Easy run" not in page and "Long run" not in page
    session = _text(client.get("/session").text)
    assert "Clamshell" not in session and "Glute bridge" not in session
