"""Back to running and building up safely, in the browser's pages and the API, agreeing
with `hipcoach plan --return --json` and `hipcoach plan --goal --json`."""

from __future__ import annotations

import json
import re
from pathlib import Path

CASES = Path(__file__).parents[1] / "cases"


def _answers(file: str, case_id: str) -> dict[str, object]:
    for line in (CASES / file).read_text().splitlines():
        case = json.loads(line)
        if case["id"] == case_id:
            return dict(case["answers"])
    raise KeyError(case_id)


def _self_care(client) -> None:  # type: ignore[no-untyped-def]
    first = json.loads((CASES / "self_care.jsonl").read_text().splitlines()[0])
    assert client.post("/api/assess", json={"answers": first["answers"]}).status_code == 200


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_running_plan_agrees_with_the_cli_and_rises_gently(client, cli):
    api = client.get("/api/plan/running", params={"goal": "10k", "weeks": 10, "weekly": 15})
    assert api.status_code == 200, api.text
    via_cli = json.loads(cli("plan", "--goal", "10k", "--weeks", "10", "--weekly", "15",
                             "--json").stdout)  # fmt: skip
    body = api.json()
    assert body["weeks"] == via_cli["weeks"] and body["shoes"] == via_cli["shoes"]
    grew = [w for w in body["weeks"] if w["change"] == "volume"]
    assert grew and all(w["change"] in ("volume", "intensity", "lighter", "hold")
                        for w in body["weeks"])  # fmt: skip
    page = _text(client.get("/programme/running", params={"goal": "10k", "weeks": 10,
                                                          "weekly": 15}).text)  # fmt: skip
    assert "10 weeks to 10.0 km" in page and "Shoes" in page and "Running form" in page
    assert "lighter week" in page


def test_an_impossible_goal_is_refused_with_how_long_it_would_take(client):
    r = client.get("/programme/running", params={"goal": "marathon", "weeks": 3, "weekly": 5})
    assert r.status_code == 422
    assert re.search(r"week", _text(r.text)) and 'role="alert"' in r.text
    bad = client.get("/programme/running", params={"goal": "10k", "weeks": 10, "weekly": "lots"})
    assert bad.status_code == 422 and "is not a number" in bad.text
    api = client.get("/api/plan/running", params={"goal": "ultra", "weeks": 10, "weekly": 10})
    assert api.status_code == 422 and "not a race distance" in api.json()["error"]


def test_following_a_running_plan_puts_its_days_in_the_calendar(client):
    r = client.post(
        "/programme/running",
        data={"goal": "5k", "weeks": "8", "weekly": "10"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/programme"
    from hipcoach.cli.session import stored_plan

    assert any(d.kind == "run" for d in stored_plan())


def test_the_return_to_running_matches_the_cli_and_puts_hops_last(client, cli):
    assert "Do the hip check" in client.get("/programme/return").text
    _self_care(client)
    api = client.get("/api/plan/return")
    assert api.status_code == 200, api.text
    via_cli = json.loads(cli("plan", "--return", "--json").stdout)
    assert api.json() == via_cli
    assert "hop" in api.json()["gates"][-1].lower()
    page = _text(client.get("/programme/return").text)
    assert "Tests to pass first" in page and "Walk–run programme" in page
    r = client.post("/programme/return", follow_redirects=False)
    assert r.status_code == 303


def test_no_return_to_running_when_a_doctor_must_see_you_first(client):
    answers = _answers("red_flags.jsonl", "rf-septic-fever")
    client.post("/api/assess", json={"answers": answers})
    assert client.get("/api/plan/return").status_code == 422
    assert "see a doctor first" in client.get("/programme/return").text
    assert "Back to running" not in client.get("/programme").text
