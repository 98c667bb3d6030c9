"""The main journeys in a real browser, on a desktop and on a phone: what a runner sees and
does. Each page met is checked with axe-core (no serious or critical violations) and for
sideways scrolling; no page may reach beyond the local server (checked for every test by
the page fixtures)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from .support import (
    SIZES,
    case_answers,
    check_page,
    current_question,
    dont_know,
    requests_made,
    run_hip_check,
)

TITLES = {
    "emergency": "Emergency",
    "urgent": "See a doctor today",
    "soon": "See a physiotherapist or doctor within the next few days",
    "self_care": "Self-care is reasonable for now",
}


def _is_phone(page: Page) -> bool:
    return page.viewport_size == SIZES["phone"]


def _urgency(page: Page) -> str:
    return page.locator(".urgency").first.locator("h1, h2").first.inner_text()


def test_first_run_on_an_empty_store_guides_to_the_hip_check(page: Page, data_folder: Path):
    assert not (data_folder / "hipcoach.db").exists()  # the server's store is empty
    page.goto("/")
    check_page(page)
    assert page.get_by_text("Upload your training").first.is_visible()  # what comes next
    assert page.get_by_text("not a doctor").first.is_visible()
    start = page.get_by_role("link", name="Start the hip check")
    with page.expect_navigation():
        start.tap() if _is_phone(page) else start.click()
    assert page.url.endswith("/assess")
    assert current_question(page) is not None
    assert page.locator("legend").inner_text()  # one question, with its text as the legend


def test_keyboard_alone_reaches_an_emergency(desktop: Page, data_folder: Path):
    """Tab, arrows, Space and Enter only: a child with a fever and a limp."""
    answers = case_answers("red_flags.jsonl", "rf-septic-fever")
    asked = run_hip_check(desktop, answers, keyboard=True)
    assert "fever" in asked and len(asked) < 12  # a warning sign ends the hip check early
    assert _urgency(desktop).startswith(TITLES["emergency"])
    assert desktop.get_by_text("Likely causes").count() == 0  # only what to do now
    call = desktop.get_by_role("link", name=re.compile(r"^Call \d+ now$"))
    assert call.is_visible() and (call.get_attribute("href") or "").startswith("tel:")
    check_page(desktop)
    assert (data_folder / "hipcoach.db").exists()  # kept for the plan and the report


def test_keyboard_focus_is_always_visible(desktop: Page):
    desktop.goto("/assess")
    outlines: list[str] = []
    for _ in range(12):
        desktop.keyboard.press("Tab")
        outlines.append(
            desktop.evaluate(
                """() => { const el = document.activeElement;
                           const s = getComputedStyle(el), l = el.closest('label');
                           const ls = l ? getComputedStyle(l) : null;
                           const ring = x => x && x.outlineStyle !== 'none'
                                            && parseFloat(x.outlineWidth) > 0;
                           return el.tagName + ':' + (ring(s) || ring(ls) ? 'ring' : 'none'); }"""
            )
        )
    assert all(o.endswith(":ring") for o in outlines if not o.startswith("BODY")), outlines


def test_a_hip_check_ending_urgent(page: Page):
    """A runner whose groin pain now hurts on walking: a femoral neck stress fracture must be
    ruled out today. Answers by clicking (desktop) or tapping (phone) the labels."""
    answers = case_answers("red_flags.jsonl", "rf-fnsf-walking")
    asked = run_hip_check(page, answers, tap=_is_phone(page))
    assert len(asked) > 10
    assert _urgency(page).startswith(TITLES["urgent"])
    text = page.locator("main").inner_text()
    assert "stress fracture" in text.lower()
    assert text.index(TITLES["urgent"]) < text.index("Likely causes")  # urgency first
    check_page(page)


def test_a_hip_check_ending_in_self_care_with_a_plan(page: Page):
    """A mild adductor strain settling on its own: self-care, with a plan to follow."""
    answers = case_answers("self_care.jsonl", "sc-adductor-mild")
    run_hip_check(page, answers, tap=_is_phone(page))
    assert _urgency(page).startswith(TITLES["self_care"])
    assert page.get_by_role("heading", name="Likely causes").is_visible()
    steps = page.locator("section", has=page.get_by_role("heading", name="What to do now"))
    assert steps.locator("li").count() >= 1
    plan = page.locator("#plan")
    assert plan.is_visible(), "the self-care result shows the plan"
    assert plan.locator("li").count() >= 1
    check_page(page)


def test_dont_know_and_back_keep_the_answers(page: Page):
    page.goto("/assess")
    first = current_question(page)
    dont_know(page, tap=_is_phone(page))
    second = current_question(page)
    assert second != first
    back = page.get_by_role("button", name="Back")
    with page.expect_navigation():
        back.tap() if _is_phone(page) else back.click()
    assert current_question(page) == first


def test_a_missing_answer_is_explained_on_the_page(page: Page):
    run_hip_check(page, {"age": 40}, until="sex")
    # "Next" with no choice made: the browser's own check keeps the runner on the question ...
    page.get_by_role("button", name="Next").click()
    assert current_question(page) == "sex"
    assert page.locator('input[name="value"]').first.evaluate("el => !el.validity.valid")
    # ... and where the browser does not check (validation off), the server says what to do.
    page.locator("form").evaluate("f => f.noValidate = true")
    with page.expect_navigation():
        page.get_by_role("button", name="Next").click()
    assert current_question(page) == "sex"
    assert page.get_by_role("alert").inner_text().startswith("Please choose an answer")
    check_page(page)


def test_the_body_map_ticks_the_place_tapped(phone: Page):
    answers = case_answers("self_care.jsonl", "sc-adductor-mild")
    run_hip_check(phone, answers, tap=True, until="location")
    assert current_question(phone) == "location", "the hip check asks where it hurts"
    region = phone.locator('figure.bodymap [data-choice="outer_hip"]').first
    box = phone.locator('input[name="value"][value="outer_hip"]')
    assert not box.is_checked()
    region.tap()
    assert box.is_checked()
    assert "on" in (region.get_attribute("class") or "").split()
    region.tap()
    assert not box.is_checked()
    check_page(phone)


def test_every_page_in_the_navigation_stays_on_this_machine(page: Page):
    """Each page the main navigation offers loads with no request beyond the local server
    (fonts, scripts and charts are served by hipcoach itself), and passes the checks."""
    page.goto("/")
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    assert "/assess" in hrefs
    for href in hrefs:
        response = page.goto(href)
        assert response is not None
        if response.status == 404:  # a section still being built
            continue
        assert response.ok, f"{href}: {response.status}"
        page.wait_for_load_state("networkidle")
        check_page(page)
    hosts = {u.split("/")[2] for u in requests_made(page) if u.startswith("http")}
    assert hosts == {page.url.split("/")[2]}, hosts


def test_dont_know_to_every_warning_sign_is_asked_again_and_gives_no_programme(page: Page):
    asked = run_hip_check(page, {}, check_each_new_layout=False)
    again = {q for q in asked if asked.count(q) == 2}
    assert again and "fever" in again  # every warning sign gets a second chance
    expect(page.get_by_role("heading", name="Warning signs not checked")).to_be_visible()
    check_page(page)
    page.goto("/programme")
    assert page.get_by_text("warning-sign questions were not answered").first.is_visible()
    assert page.get_by_role("link", name="Start today's session").count() == 0
