"""The JSON API answers like the CLI's --json, with clear errors (in-process client)."""

from __future__ import annotations

import json
from pathlib import Path

EXAMPLES = Path(__file__).parents[2] / "examples"
DATA = Path(__file__).parents[1] / "data"


def test_questions_match_the_cli(client, cli):
    assert client.get("/api/questions").json() == json.loads(cli("questions", "--json").stdout)


def test_assess_matches_the_cli_field_for_field(client, cli):
    answers = json.loads((EXAMPLES / "lateral-hip.json").read_text())
    api = client.post("/api/assess", json=answers, params={"store": False}).json()
    text = json.dumps(answers)
    via_cli = json.loads(cli("assess", "--no-store", "--answers", "-", "--json", input=text).stdout)
    assert api == via_cli
    assert api["conditions"][0]["id"] == "gtps"


def test_bad_answers_are_a_422_with_one_clear_message(client):
    r = client.post("/api/assess", json={"answers": {"onset": "slowly"}})
    assert r.status_code == 422
    assert "answer to 'onset' is 'slowly'" in r.json()["error"]


def test_plan_needs_an_assessment_then_follows_it(client):
    assert client.get("/api/plan").status_code == 422
    answers = json.loads((EXAMPLES / "lateral-hip.json").read_text())
    client.post("/api/assess", json=answers)
    plan = client.get("/api/plan").json()
    assert plan["conditions"][0] == "gtps"
    given = {e for p in plan["phases"] for e in p["exercises"]}
    assert "iliotibial_band_stretch" not in given


def test_load_and_activities_after_an_import(client, cli):
    assert client.get("/api/activities").json() == []
    cli("import", str(DATA / "tcx"))
    acts = client.get("/api/activities").json()
    assert acts == json.loads(cli("activities", "--json").stdout)
    load = client.get("/api/load", params={"weeks": 4}).json()
    assert load["weeks"] and "flags" in load


def test_openapi_schema_is_served_and_no_cdn_docs(client):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/assess", "/api/questions", "/api/load", "/api/plan"} <= set(schema["paths"])
    assert client.get("/docs").status_code == 404
