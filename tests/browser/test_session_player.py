"""The guided session player in a real browser, on a desktop and on a phone: the cue text is
never under the buttons, the session opens with a warm-up and closes with a cool-down, the
rests are the dosage's, the log keeps the time really spent, and a day logged twice is one
entry."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from .support import SIZES, check_page

EXAMPLES = Path(__file__).parents[2] / "examples"
GTPS = json.loads((EXAMPLES / "lateral-hip.json").read_text())["answers"]
MAX_STEPS = 400  # a bound on clicks through one session, not a speed check

_BOXES = """() => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {x: r.left, y: r.top, right: r.right, bottom: r.bottom, w: r.width, h: r.height}; };
  return {
    cues: box(document.getElementById("p-cues")),
    step: box(document.getElementById("p-step")),
    buttons: [...document.querySelectorAll("#player .p-controls button")]
      .filter((b) => !b.hidden).map(box),
    viewport: {w: window.innerWidth, h: window.innerHeight},
  };
}"""


def _assessed(page: Page) -> None:
    response = page.request.post("/api/assess", data={"answers": GTPS})
    assert response.ok, response.text()


def _press(page: Page, name: str) -> None:
    button = page.locator("#player").get_by_role("button", name=name, exact=True)
    button.tap() if page.viewport_size == SIZES["phone"] else button.click()


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["right"]
        and b["x"] < a["right"]
        and a["y"] < b["bottom"]
        and b["y"] < a["bottom"]
    )


def _assert_cues_in_sight(page: Page) -> None:
    found: dict[str, Any] = page.evaluate(_BOXES)
    view = found["viewport"]
    for name in ("cues", "step"):
        box = found[name]
        assert box["h"] > 0, f"the {name} text is not shown"
        assert box["x"] >= 0 and box["right"] <= view["w"] + 0.5, (name, box, view)
        assert box["y"] >= 0 and box["bottom"] <= view["h"] + 0.5, (name, box, view)
        for button in found["buttons"]:
            assert not _overlap(box, button), f"the {name} text is under a button: {box} {button}"


def _start(page: Page) -> None:
    page.goto("/session")
    start = page.get_by_role("button", name="Start the guided session")
    start.tap() if page.viewport_size == SIZES["phone"] else start.click()
    expect(page.locator("#player")).to_be_visible()


def test_the_cue_text_is_never_hidden_behind_the_buttons(page: Page):
    _assessed(page)
    _start(page)
    names: list[str] = []
    for _ in range(10):  # every exercise of the session, skipping through them
        if not page.locator("#player").is_visible():
            break
        names.append(page.locator("#p-name").inner_text())
        assert page.locator("#p-cues li").count() >= 1
        _assert_cues_in_sight(page)
        _press(page, "Skip exercise")
    assert len(names) == 5
    assert names[0].startswith("5-minute warm-up") and names[-1] == "5-minute walking cool-down"
    expect(page.locator("#pain")).to_be_focused()  # the player closed on the pain rating
    check_page(page)


def test_rests_between_holds_are_the_dosage_and_the_log_keeps_the_time_spent(desktop: Page):
    page = desktop
    _assessed(page)
    session = page.request.get("/api/session/today").json()
    hold_rest = session["items"][1]["rest_s"]  # the first exercise after the warm-up
    assert hold_rest == 60
    _start(page)
    rest_seen = None
    for _ in range(MAX_STEPS):
        if not page.locator("#player").is_visible():
            break
        step = page.locator("#p-step").inner_text()
        if rest_seen is None and step.startswith("Rest, then hold"):
            rest_seen = page.locator("#p-timer").inner_text()
        _press(page, "Next")
    assert rest_seen is not None and re.fullmatch(r"1:00|0:5\d|5\d", rest_seen), rest_seen
    page.locator("#pain").fill("2")
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_role("heading", name="Session saved")).to_be_visible()
    # clicked straight through: about a minute at most, not the planned quarter of an hour
    assert "5 of 5 exercises done in 1 min" in page.locator("main").inner_text()
    (log,) = page.request.get("/api/sessions").json()
    assert log["elapsed_s"] is not None and log["elapsed_s"] < session["estimate_s"] / 4
    assert [i["exercise_id"] for i in log["items"]][::4] == ["warm_up", "cool_down"]


def test_a_day_logged_twice_in_the_browser_is_one_entry(page: Page):
    _assessed(page)
    _start(page)
    _press(page, "Quit")
    page.locator("#pain").fill("2")
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_role("heading", name="Session saved")).to_be_visible()
    page.goto("/session")
    expect(page.locator("#logged-before")).to_contain_text("Saving again replaces that log")
    page.locator("#pain").fill("4")
    page.get_by_role("button", name="Save the session").click()
    expect(page.locator("#replaced")).to_contain_text("This replaces the session you logged")
    logs = page.request.get("/api/sessions").json()
    assert [s["pain_during"] for s in logs] == [4]
    page.goto("/programme")
    assert page.locator("td.is-today .status").count() == 1
