"""The hip check and its result in Chromium, as a runner and a physiotherapist meet them:
the causes explained, the sources, Print and Share (offline too), the clinician's report
opening in the browser, the pain score, which side, focus after Next, one heading per page,
and a body map a fingertip can hit on a phone."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Page

from .support import SIZES, check_page, current_question, run_hip_check

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LATERAL = {**json.loads((EXAMPLES / "lateral-hip.json").read_text())["answers"], "side": "right"}
FINGERTIP = 44  # px: the smallest comfortable touch target (WCAG 2.5.5, Apple and Android)


def _is_phone(page: Page) -> bool:
    return page.viewport_size == SIZES["phone"]


def _one_h1(page: Page) -> None:
    assert page.locator("h1").count() == 1, f"{page.url} has {page.locator('h1').count()} h1"


def test_the_result_explains_each_cause_with_sources(page: Page):
    asked = run_hip_check(page, LATERAL, tap=_is_phone(page))
    assert "side" in asked and "severity" in asked
    check_page(page)
    _one_h1(page)
    urgency, causes = (
        page.locator(".urgency").first.bounding_box(),
        page.locator("#causes-h").bounding_box(),
    )
    assert urgency and causes and urgency["y"] < causes["y"]  # the urgency box stays first
    first = page.locator("article.cause").first
    assert first.locator("h3").inner_text().startswith("Greater trochanteric pain syndrome")
    assert "What it is:" in first.inner_text() and "Why it fits:" in first.inner_text()
    assert "pain at the outside of the hip" in first.locator(".fits").inner_text().lower()
    for_lines = " ".join(page.locator("p.for").all_inner_texts())
    assert "Pain at:" not in for_lines and not re.search(r"\bNo |does not|do not", for_lines)
    assert not any(t.strip() == "0%" for t in page.locator(".cause .pct").all_inner_texts())
    assert page.get_by_text("Side: Right").is_visible()
    # A source named under a cause leads to its entry in the reference list, with a link.
    ref = first.locator('a[href^="#ref-"]').first
    target = (ref.get_attribute("href") or "").removeprefix("#")
    ref.tap() if _is_phone(page) else ref.click()
    entry = page.locator(f'li[id="{target}"]')
    assert entry.is_visible() and entry.inner_text().strip()
    assert page.locator("ol.references a[href^='http']").count() >= 1


def test_print_share_offline_and_the_report_in_the_browser(desktop: Page):
    run_hip_check(desktop, LATERAL, check_each_new_layout=False)
    desktop.context.grant_permissions(["clipboard-read", "clipboard-write"])
    desktop.evaluate("() => { window.print = () => { window.__printed = true; }; }")
    desktop.get_by_role("button", name="Print").click()
    assert desktop.evaluate("() => window.__printed === true")
    desktop.context.set_offline(True)  # sharing needs no server
    desktop.evaluate("() => { delete Navigator.prototype.share; }")  # as on most desktops
    desktop.get_by_role("button", name="Share").click()
    desktop.wait_for_function(
        "() => /copied/.test(document.querySelector('#share-status').textContent)"
    )
    copied = desktop.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith("hipcoach hip check: See a physiotherapist")
    assert "Side: Right" in copied and "Greater trochanteric pain syndrome" in copied
    desktop.context.set_offline(False)
    with desktop.expect_navigation() as nav:
        desktop.get_by_role("link", name="Open the report for your clinician").click()
    response = nav.value
    assert response is not None and response.status == 200
    assert "attachment" not in response.headers.get("content-disposition", "")
    assert desktop.url.endswith("/result/report")  # opened in the browser, not saved
    assert desktop.get_by_text("Greater trochanteric pain syndrome").first.is_visible()
    assert desktop.locator("p.answers").get_by_text("Side:").is_visible()  # which side
    assert "Right" in desktop.locator("p.answers").inner_text()
    styled = desktop.evaluate(
        "() => getComputedStyle(document.querySelector('p.answers')).fontSize"
    )
    assert styled != "16px"  # the report's own styles applied (8.5pt), not refused


def test_share_uses_the_phones_share_sheet(phone: Page):
    phone.add_init_script(
        "navigator.share = (data) => { window.__shared = data; return Promise.resolve(); };"
    )
    run_hip_check(phone, LATERAL, tap=True, check_each_new_layout=False)
    phone.get_by_role("button", name="Share").tap()
    shared = phone.evaluate("() => window.__shared")
    assert shared["text"].startswith("hipcoach hip check:") and "Side: Right" in shared["text"]


def test_pain_score_side_and_focus_after_next(page: Page):
    tap = _is_phone(page)
    run_hip_check(page, LATERAL, tap=tap, check_each_new_layout=False, until="severity")
    _one_h1(page)
    legend = page.locator("legend h1")
    assert page.evaluate("() => document.activeElement.id") == "question-h"  # after Next
    assert "0 to 10" in legend.inner_text() or "0 (none)" in legend.inner_text()
    buttons = page.locator('input[name="value"][type="radio"]')
    assert buttons.count() == 11
    assert page.get_by_label("0 no pain").count() == 1
    assert page.get_by_label("10 worst imaginable").count() == 1
    check_page(page)  # the new layout: no sideways scroll, no serious axe finding
    for i in (0, 10):
        box = page.locator("label.step").nth(i).bounding_box()
        assert box and box["height"] >= FINGERTIP and box["width"] >= FINGERTIP
    label = page.locator("label").filter(has=page.locator('input[value="7"]'))
    label.tap() if tap else label.click()
    assert page.locator('input[name="value"][value="7"]').is_checked()


def test_keyboard_focus_moves_to_the_new_question(desktop: Page):
    desktop.goto("/assess")
    desktop.locator("label").filter(has=desktop.locator('input[value="groin"]')).click()
    desktop.get_by_role("button", name="Next", exact=True).focus()
    with desktop.expect_navigation():
        desktop.keyboard.press("Enter")
    assert current_question(desktop) == "age"
    assert desktop.evaluate("() => document.activeElement.id") == "question-h"
    desktop.keyboard.press("Tab")  # the next stop is the answer itself
    assert desktop.evaluate("() => document.activeElement.name") == "value"


def test_body_map_targets_fit_a_fingertip_on_a_phone(phone: Page):
    phone.goto("/assess")
    _one_h1(phone)
    regions = phone.locator("figure.bodymap [data-choice]")
    assert regions.count() >= 15
    small = []
    for i in range(regions.count()):
        region = regions.nth(i)
        box = region.bounding_box()
        assert box is not None
        if box["width"] < FINGERTIP or box["height"] < FINGERTIP:
            name = region.get_attribute("data-choice")
            small.append(f"{name} {box['width']:.0f}×{box['height']:.0f}")
    assert not small, f"body-map regions smaller than {FINGERTIP}×{FINGERTIP} px: {small}"
    check_page(phone)  # the wide drawing scrolls in its own box, not the page
    sit = phone.locator('figure.bodymap [data-choice="sit_bone"]').first
    sit.scroll_into_view_if_needed()
    sit.tap()
    assert phone.locator('input[name="value"][value="sit_bone"]').is_checked()
