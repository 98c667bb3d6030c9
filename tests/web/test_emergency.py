"""The number to call in an emergency, in the terminal and on the result page."""

from __future__ import annotations

import json

from scenario_cases import case_answers


def test_an_emergency_shows_the_number_to_call_in_the_terminal_and_the_page(
    cli, client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    answers = case_answers("red_flags.jsonl", "rf-septic-fever")
    out = cli("assess", "--answers", "-", "--no-history", input=json.dumps({"answers": answers}))
    assert out.exit_code == 0, out.output
    assert "Call 999 now" in out.stdout
    r = client.put("/api/settings", json={"units": "km", "emergency_number": "112"})
    assert r.status_code == 200, r.text
    client.post("/api/assess", json={"answers": answers})
    page = client.get("/result").text
    assert 'href="tel:112"' in page and "Call 112 now" in page
    bad = client.put("/api/settings", json={"units": "km", "emergency_number": "call me"})
    assert bad.status_code == 422 and "Emergency number: give the number as 2 to 6 digits" in (
        bad.json()["error"]
    )
