"""Back to running and building up safely, in the browser's pages and the API, agreeing
with `hipcoach plan --return --json` and `hipcoach plan --goal --json`."""

from __future__ import annotations

import json
import re
from pathlib import Path

from scenario_cases import CASES, case_answers

EXAMPLES = Path(__file__).parents[2] / "examples"


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
    assert api.json()["can_start"] is False and "Not yet" in api.json()["not_yet"]
    page = _text(client.get("/programme/return").text)
    assert "Tests to pass first" in page and "Walk–run programme" in page
    assert "Record the checks you did" in page
    # Not before the checks are passed: following is refused and nothing is stored.
    r = client.post("/programme/return", follow_redirects=False)
    assert r.status_code == 422 and "Not yet" in _text(r.text)
    from hipcoach.cli.session import stored_plan

    assert not any(d.kind in ("run", "walk_run") for d in stored_plan())
    gates = re.findall(r'name="check_([a-z_]+)"', client.get("/programme/return").text)
    half = {f"check_{g}": "0" for g in gates[:-1]} | {f"check_{gates[-1]}": "6"}
    assert client.post("/programme/return/checks", data=half).status_code in (200, 303)
    assert client.post("/programme/return", follow_redirects=False).status_code == 422
    passed = {f"check_{g}": "1" for g in gates}
    client.post("/programme/return/checks", data=passed)
    assert client.get("/api/plan/return").json()["can_start"] is True
    r = client.post("/programme/return", follow_redirects=False)
    assert r.status_code == 303
    assert any(d.kind == "walk_run" for d in stored_plan())


def test_no_return_to_running_when_a_doctor_must_see_you_first(client):
    answers = case_answers("red_flags.jsonl", "rf-septic-fever")
    client.post("/api/assess", json={"answers": answers})
    assert client.get("/api/plan/return").status_code == 422
    assert "see a doctor first" in client.get("/programme/return").text
    assert "Back to running" not in client.get("/programme").text


def _assess(client, file: str, case_id: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    r = client.post("/api/assess", json={"answers": case_answers(file, case_id)})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_no_running_plan_of_any_kind_after_a_stop_running_result(client, cli):
    """Same-day result for a possible femoral neck stress fracture: the build-up plan and
    the return to running are refused with the reason, in the API, the page and the CLI,
    and following one stores nothing."""
    from hipcoach.cli.session import stored_plan

    result = _assess(client, "red_flags.jsonl", "rf-fnsf-walking")
    assert result["urgency"]["level"] == "urgent"
    api = client.get("/api/plan/running", params={"goal": "10k", "weeks": 12, "weekly": 20})
    assert api.status_code == 422 and "doctor" in api.json()["error"]
    page = client.get("/programme/running", params={"goal": "10k", "weeks": 12, "weekly": 20})
    assert page.status_code == 422 and "No build-up plan for now" in _text(page.text)
    follow = client.post("/programme/running", data={"goal": "10k", "weeks": "12", "weekly": "20"})
    assert follow.status_code == 422
    assert client.get("/api/plan/return").status_code == 422
    assert client.post("/programme/return", follow_redirects=False).status_code == 422
    assert not any(d.kind in ("run", "walk_run") for d in stored_plan())
    out = cli("plan", "--goal", "10k", "--weekly", "20")
    assert out.exit_code == 2 and "doctor" in out.stderr


def test_a_build_up_waits_for_the_end_of_the_episode_and_then_leaves_out_clamshells(client):
    """Likely gluteal tendinopathy: no build-up while it is treated; once the runner says
    they run without pain again, the plan's strength days never hold a clamshell."""
    from hipcoach.cli.session import stored_plan

    answers = json.loads((EXAMPLES / "lateral-hip.json").read_text())["answers"]
    result = client.post("/api/assess", json={"answers": answers}).json()
    assert result["conditions"][0]["id"] == "gtps"
    params = {"goal": "10k", "weeks": 12, "weekly": 20}
    assert client.get("/api/plan/running", params=params).status_code == 422
    page = _text(client.get("/programme/running").text)
    assert "I'm running again without pain" in page
    assert client.post("/programme/recovered", follow_redirects=False).status_code == 303
    plan = client.get("/api/plan/running", params=params)
    assert plan.status_code == 200, plan.text
    follow = client.post("/programme/running", data={"goal": "10k", "weeks": "12", "weekly": "20"},
                         follow_redirects=False)  # fmt: skip
    assert follow.status_code == 303
    days = stored_plan()
    assert any(d.kind == "strength" and d.items for d in days)
    assert not any(i.exercise_id == "clamshell" for d in days for i in d.items)
