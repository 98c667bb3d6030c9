"""Settings, the body map, the plan on the result page, and the pages that help when
something goes wrong."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from hipcoach.web.api import create_app

from .wizard import form as _form
from .wizard import rechecked


def _self_care_answers() -> dict[str, object]:
    from pathlib import Path

    path = Path(__file__).parents[1] / "cases" / "self_care.jsonl"
    for line in path.read_text().splitlines():
        case = json.loads(line)
        if case["expected"]["urgency"] == "self_care":
            return dict(case["answers"])
    raise AssertionError("no self-care case")


def _wizard(client: TestClient, answers: dict[str, object]) -> str:
    """Drive the wizard answering from ``answers`` ("Don't know" for anything else)."""
    r = client.get("/assess")
    for _ in range(90):
        if 'name="question"' not in r.text:
            return r.text
        state, qid = _form(r.text)
        value = answers.get(qid)
        if value is None:
            data: dict[str, object] = {"state": state, "question": qid, "skip": "1"}
        elif isinstance(value, bool):
            data = {"state": state, "question": qid, "value": "yes" if value else "no"}
        else:
            data = {"state": state, "question": qid, "value": value}
        data["rechecked"] = rechecked(r.text)  # posted as a browser posts the hidden field
        r = client.post("/assess", data=data)
        assert r.status_code == 200, r.text
    raise AssertionError("the wizard never finished")


# --- settings --------------------------------------------------------------------------


def test_settings_start_as_defaults_and_are_kept_in_the_database(client, cli):
    page = client.get("/settings")
    assert page.status_code == 200 and "Kilometres" in page.text
    assert client.get("/api/settings").json()["units"] == "km"
    r = client.post(
        "/settings",
        data={"units": "mi", "hr_rest": "50", "hr_max": "185", "age": "41", "sex": "female"},
    )
    assert r.status_code == 200 and "Saved." in r.text
    saved = client.get("/api/settings").json()
    assert (saved["units"], saved["hr_rest"], saved["hr_max"], saved["age"], saved["sex"]) == (
        "mi",
        50,
        185,
        41,
        "female",
    )
    # The CLI follows the saved unit without --units.
    from hipcoach.services import preferred_units

    assert preferred_units() == "mi"
    assert preferred_units("km") == "km"  # an explicit option still wins


def test_bad_settings_are_refused_with_the_field_named_and_nothing_saved(client):
    r = client.post(
        "/settings", data={"units": "km", "hr_rest": "110", "hr_max": "105", "age": "", "sex": ""}
    )
    assert r.status_code == 422
    assert "resting heart rate must be below the maximum" in r.text
    assert 'value="110"' in r.text  # what was typed is kept for correcting
    r = client.put("/api/settings", json={"age": 3})
    assert r.status_code == 422 and r.json()["error"].startswith("Age:")
    r = client.put("/api/settings", json={"colour": "red"})
    assert r.status_code == 422 and "unknown setting 'colour'" in r.json()["error"]
    assert client.get("/api/settings").json()["hr_rest"] is None


def test_age_and_sex_from_the_settings_are_not_asked_again(client):
    client.put("/api/settings", json={"age": 38, "sex": "male"})
    first = client.get("/assess").text
    state, qid = _form(first)
    assert json.loads(state) == {"age": 38, "sex": "male"}
    second = client.post("/assess", data={"state": state, "question": qid, "skip": "1"}).text
    assert "How old are you?" not in second and "What sex" not in second


def test_heart_rates_from_the_settings_change_the_load(client, cli):
    from pathlib import Path

    run = Path(__file__).parents[1] / "data" / "fit" / "2022-05-29-15-53-35_Laufen_Landal_Park.fit"
    cli("import", str(run))  # a 24-minute run at an average of 136 beats/min
    before = client.get("/api/load").json()["weeks"][-1]["run_load"]
    client.put("/api/settings", json={"hr_rest": 70, "hr_max": 150})
    after = client.get("/api/load").json()["weeks"][-1]["run_load"]
    assert after > before  # the same heart rate is harder work for a lower maximum


# --- body map ----------------------------------------------------------------------------


def test_the_body_map_has_a_region_for_every_place_in_the_question(client, kb):
    r = client.get("/assess")  # the check opens on the body map
    state, qid = _form(r.text)
    assert qid == "location"
    regions = set(re.findall(r'data-choice="([a-z_]+)"', r.text))
    choices = {c.id for c in kb.question_by_id["location"].choices}
    assert regions == choices
    assert all(view in r.text for view in (">Front<", ">Side (right)<", ">Back<"))
    assert '<script src="/static/bodymap.js"' in r.text
    assert client.get("/static/bodymap.js").status_code == 200
    # The checkboxes stay the real control: ticking two places answers the question.
    r = client.post(
        "/assess", data={"state": state, "question": qid, "value": ["outer_hip", "buttock"]}
    )
    state, _ = _form(r.text)
    assert json.loads(state)["location"] == ["outer_hip", "buttock"]


def test_back_shows_the_previous_answer_ticked(client):
    state, qid = _form(client.get("/assess").text)
    places = ["outer_hip", "outer_thigh"]
    r = client.post("/assess", data={"state": state, "question": qid, "value": places})
    state, qid = _form(r.text)
    r = client.post("/assess", data={"state": state, "question": qid, "value": "44"})
    state, qid = _form(r.text)
    r = client.post("/assess", data={"state": state, "question": qid, "back": "1"})
    assert "How old are you?" in r.text and 'value="44' in r.text
    state, qid = _form(r.text)
    r = client.post("/assess", data={"state": state, "question": qid, "back": "1"})
    ticked = re.findall(r'value="([a-z_]+)" checked', r.text)
    assert ticked == places


# --- result with the plan -------------------------------------------------------------------


def test_a_self_care_result_comes_with_the_plan(client):
    html = _wizard(client, _self_care_answers())
    assert "Self-care is reasonable" in html
    assert (
        html.index("Self-care is reasonable")
        < html.index("Likely causes")
        < html.index("Your plan")
    )
    assert "<strong>Painkillers:</strong>" in html
    assert 'href="/session"' in html and "Exercise programme" in html


def test_an_urgent_result_gives_no_exercise_programme(client):
    answers = {
        "age": 35,
        "sex": "female",
        "cannot_bear_weight": False,
        "injury": False,
        "fever": True,
    }
    html = _wizard(client, answers)
    from hipcoach.kb.load import load

    levels = load().triage.levels
    assert levels["emergency"].title in html or levels["urgent"].title in html
    assert "Exercise programme" not in html


# --- errors -----------------------------------------------------------------------------------


def test_an_unknown_page_gets_a_helpful_404_and_the_api_gets_json(client):
    r = client.get("/no/such/page", headers={"accept": "text/html"})
    assert r.status_code == 404
    assert "Page not found" in r.text and 'href="/assess"' in r.text and "not a doctor" in r.text
    r = client.get("/api/nothing-here")
    assert r.status_code == 404 and r.json() == {"error": "Not Found"}


def test_a_crash_gets_a_500_page_that_says_nothing_was_lost(home_dir):
    app = create_app(allowed_hosts={"testserver"})

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    r = TestClient(app, raise_server_exceptions=False).get("/boom", headers={"accept": "text/html"})
    assert r.status_code == 500
    assert "Something went wrong" in r.text and "nothing you entered was lost" in r.text
    assert "a bug" not in r.text  # no internals shown to the runner


def test_an_empty_number_is_not_taken_as_an_answer(client):
    state, qid = _form(client.get("/assess").text)
    r = client.post("/assess", data={"state": state, "question": qid, "skip": "1"})
    state, qid = _form(r.text)
    assert qid == "age"
    r = client.post("/assess", data={"state": state, "question": qid, "value": "  "})
    assert "Please enter a number" in r.text
    assert _form(r.text)[1] == "age"
    r = client.post("/assess", data={"state": state, "question": qid, "value": "130"})
    assert _form(r.text)[1] == "age" and "100" in r.text  # out of range: asked again, with why


def test_home_shows_where_things_stand_and_the_latest_result_can_be_reopened(client):
    assert client.get("/result", headers={"accept": "text/html"}).status_code == 404
    html = _wizard(client, _self_care_answers())
    assert "Self-care is reasonable" in html
    home = client.get("/").text
    assert "Self-care is reasonable" in home and 'href="/result"' in home
    assert "Start the hip check" not in home  # no first-run guidance once there is a result
    again = client.get("/result").text
    assert "Self-care is reasonable" in again and "Your plan" in again
