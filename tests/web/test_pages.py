"""The server-rendered hip check: plain forms, one question a screen, urgency first."""

from __future__ import annotations

import json

from hipcoach.kb.load import load

from .wizard import form as _form
from .wizard import rechecked


def test_home_page_guides_a_first_run(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "Start the hip check" in r.text and "Upload your training" in r.text
    assert "not a doctor" in r.text
    assert client.get("/static/style.css").status_code == 200


def test_the_wizard_starts_with_the_body_map_then_safety_and_an_emergency_ends_it(client):
    first = client.get("/assess")
    assert "Where is the pain?" in first.text and 'class="bodymap"' in first.text
    state, qid = _form(first.text)
    r = client.post("/assess", data={"state": state, "question": qid, "value": "groin"})
    assert "How old are you?" in r.text
    state, qid = _form(r.text)
    r = client.post("/assess", data={"state": state, "question": qid, "value": "40"})
    state, qid = _form(r.text)
    r = client.post("/assess", data={"state": state, "question": qid, "value": "male"})
    state, qid = _form(r.text)
    assert qid == "cannot_bear_weight"
    r = client.post("/assess", data={"state": state, "question": qid, "value": "yes"})
    assert "Emergency" in r.text
    assert "Likely causes" not in r.text  # an emergency shows what to do now and nothing else


def test_dont_know_back_and_a_missing_answer(client):
    state, qid = _form(client.get("/assess").text)
    r = client.post("/assess", data={"state": state, "question": qid, "skip": "1"})
    assert "Question 2" in r.text
    state, qid = _form(r.text)
    r = client.post("/assess", data={"state": state, "question": qid, "skip": "1"})
    state, qid = _form(r.text)
    r = client.post("/assess", data={"state": state, "question": qid, "back": "1"})
    assert "How old are you?" in r.text
    state, qid = _form(r.text)
    r = client.post("/assess", data={"state": state, "question": qid})
    assert "Please enter a number" in r.text


def test_a_damaged_form_is_a_clear_error(client):
    r = client.post("/assess", data={"state": "[not json", "question": "age", "value": "3"})
    assert r.status_code == 422
    assert "start the hip check again" in r.json()["error"]


def test_finishing_the_wizard_shows_urgency_then_causes_and_stores_it(client, cli):
    """"Don't know" to everything: each warning sign is asked once more, then the result
    says plainly that the warning signs were not checked, and there is no programme."""
    r = client.get("/assess")
    asked: list[str] = []
    for _ in range(120):
        if "Likely causes" in r.text or "What to do now" in r.text:
            break
        state, qid = _form(r.text)
        asked.append(qid)
        data = {"state": state, "question": qid, "skip": "1", "rechecked": rechecked(r.text)}
        r = client.post("/assess", data=data)
    assert "Likely causes" in r.text
    screen = [q.id for q in load().questions if q.section == "red_flags" and q.always_ask]
    twice = [q for q in screen if asked.count(q) == 2]
    assert twice and all(asked.count(q) <= 2 for q in asked)
    assert r.text.index("Warning signs not checked") < r.text.index("Likely causes")
    assert r.text.index("See a physiotherapist") < r.text.index("Likely causes")
    plan = json.loads(cli("plan", "--json").stdout)
    assert plan["urgency"] == "soon"
    assert plan["phases"] == [] and "warning-sign questions were not answered" in str(plan)
