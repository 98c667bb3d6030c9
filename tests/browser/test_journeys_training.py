"""Journeys after the hip check, in a real browser: importing a training export (with a
bad file inside), the programme and its guided session, the report download, settings."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from .support import SIZES, case_answers, check_page, current_question

DATA = Path(__file__).parents[1] / "data"
BROKEN = "activities/broken.fit"
IMPORT_WAIT_MS = 120_000  # how long to wait for an import to finish; not a speed check


def _is_phone(page: Page) -> bool:
    return page.viewport_size == SIZES["phone"]


def _press(page: Page, target: Any) -> None:
    target.tap() if _is_phone(page) else target.click()


def strava_export_with_a_bad_file(folder: Path) -> Path:
    """The real Strava export fixture, zipped as Strava sends it, with one truncated FIT
    file added and listed in activities.csv."""
    src = DATA / "strava_export"
    rows = list(csv.reader(io.StringIO((src / "activities.csv").read_text(encoding="utf-8"))))
    header, run = rows[0], rows[1]
    broken = list(run)
    broken[header.index("Activity ID")] = "99"
    broken[header.index("Activity Name")] = "Broken watch file"
    broken[header.index("Activity Date")] = "Jun 2, 2022, 6:00:00 AM"
    broken[header.index("Filename")] = BROKEN
    out = io.StringIO()
    csv.writer(out).writerows([header, run, broken])
    path = folder / "export_12345.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(src.rglob("*")):
            if f.is_file() and f.name not in ("activities.csv", "README.md"):
                z.write(f, f"export_12345/{f.relative_to(src)}")
        z.writestr("export_12345/activities.csv", out.getvalue())
        z.write(DATA / "fit" / "bad" / "activity-unexpected-eof.fit", f"export_12345/{BROKEN}")
    return path


def _assessed(page: Page, case: str = "sc-adductor-mild") -> dict[str, Any]:
    """A stored hip check, set up through the JSON API (the wizard has its own journeys)."""
    answers = case_answers("self_care.jsonl", case)
    response = page.request.post("/api/assess", data={"answers": answers})
    assert response.ok, response.text()
    result: dict[str, Any] = response.json()
    return result


# --- training import -------------------------------------------------------------------------


def test_an_export_upload_with_a_bad_file_inside(page: Page, tmp_path: Path):
    export = strava_export_with_a_bad_file(tmp_path)
    extra = DATA / "tcx" / "run_garmin.tcx"  # a second file chosen with it
    page.goto("/training")
    check_page(page)
    assert page.get_by_role("heading", name="Start by importing your history").is_visible()
    page.evaluate(
        """() => { window.sawProgress = false;
                   new MutationObserver(() => { if (document.querySelector('progress'))
                                                  window.sawProgress = true; })
                     .observe(document.body, {subtree: true, childList: true}); }"""
    )
    page.get_by_label("Your export or activity files").set_input_files([export, extra])
    _press(page, page.get_by_role("button", name="Upload and import"))
    status = page.locator("#upload-status")
    expect(status).to_contain_text("Import finished", timeout=IMPORT_WAIT_MS)
    assert page.evaluate("window.sawProgress"), "a progress bar showed while it worked"
    assert "1 files skipped" in status.inner_text() or "1 file skipped" in status.inner_text()
    skipped = page.locator("ul.skipped li")
    expect(skipped).to_have_count(1)
    assert "broken.fit" in skipped.inner_text()
    assert "truncated" in skipped.inner_text().lower()
    check_page(page)

    _press(page, page.get_by_role("link", name="See your training"))
    page.wait_for_url("**/training")
    assert "activities imported" in page.locator(".overview-bar").inner_text()
    expect(page.locator(".chart-plot svg:visible").first).to_be_visible()
    assert page.get_by_role("heading", name="Recent activities").is_visible()
    assert page.locator("table.activities tbody tr").count() >= 2
    check_page(page)


def test_the_upload_works_without_javascript(
    browser: Browser, live_server: str, desktop: Page, tmp_path: Path
):
    """The plain form posts the files and the progress page refreshes itself."""
    context = browser.new_context(
        viewport=SIZES["desktop"], base_url=live_server, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/training")
        page.get_by_label("Your export or activity files").set_input_files(
            strava_export_with_a_bad_file(tmp_path)
        )
        with page.expect_navigation():
            page.get_by_role("button", name="Upload and import").click()
        assert "/training/imports/" in page.url
        finished = page.get_by_role("heading", name="Import finished")
        expect(finished).to_be_visible(timeout=IMPORT_WAIT_MS)
        assert "broken.fit" in page.locator("ul.skipped").inner_text()
        # axe-core needs JavaScript: check the same page in a browser that has it.
        desktop.goto(page.url)
        assert desktop.get_by_role("heading", name="Import finished").is_visible()
        check_page(desktop)
    finally:
        context.close()


# --- programme, guided session, report -----------------------------------------------------


def test_programme_before_any_hip_check_points_to_it(page: Page):
    page.goto("/programme")
    assert page.get_by_role("heading", name="Do the hip check first").is_visible()
    check_page(page)
    page.goto("/session")
    assert page.get_by_role("heading", name="Do the hip check first").is_visible()
    check_page(page)


def test_a_guided_session_from_the_programme(page: Page):
    _assessed(page)
    page.goto("/programme")
    check_page(page)
    today = page.locator("section.today")
    if today.get_by_role("link", name="Start today's session").count() == 0:
        pytest.fail(f"no session today on the programme: {today.inner_text()}")
    _press(page, today.get_by_role("link", name="Start today's session"))
    page.wait_for_url("**/session")
    check_page(page)
    exercises = page.locator("#overview ol.items li").count()
    assert exercises >= 1
    _press(page, page.get_by_role("button", name="Start the guided session"))
    player = page.locator("#player")
    expect(player).to_be_visible()
    assert page.locator("#p-progress").inner_text().startswith(f"Exercise 1 of {exercises}")
    check_page(page)  # the player itself, at this size
    next_button = page.locator("#p-next")
    for _ in range(500):  # step through every set and hold with "Next"
        if not player.is_visible():
            break
        _press(page, next_button)
    assert not player.is_visible(), "the player ends after the last exercise"
    pain = page.get_by_label("Worst pain during the session (0 = none, 10 = worst)")
    expect(pain).to_be_focused()  # the player hands over to the log form
    pain.fill("2")
    with page.expect_navigation():
        _press(page, page.get_by_role("button", name="Save the session"))
    assert page.get_by_role("heading", name="Session saved").is_visible()
    assert f"{exercises} of {exercises} exercises done" in page.locator("main").inner_text()
    check_page(page)


def test_the_player_is_driven_by_the_keyboard(desktop: Page):
    _assessed(desktop)
    desktop.goto("/session")
    desktop.get_by_role("button", name="Start the guided session").focus()
    desktop.keyboard.press("Enter")
    expect(desktop.locator("#player")).to_be_visible()
    step = desktop.locator("#p-step")
    first = desktop.locator("#p-progress").inner_text() + step.inner_text()
    desktop.keyboard.press("ArrowRight")  # → next
    assert desktop.locator("#p-progress").inner_text() + step.inner_text() != first
    desktop.keyboard.press("Space")  # pause
    assert step.inner_text().startswith("Paused")
    desktop.keyboard.press("Space")  # resume
    assert not step.inner_text().startswith("Paused")
    desktop.keyboard.press("Escape")  # quit: straight to the log form
    expect(desktop.locator("#player")).to_be_hidden()


def test_the_report_downloads_as_a_pdf_with_the_result(page: Page, tmp_path: Path):
    result = _assessed(page)
    page.goto("/programme")
    link = page.get_by_role("link", name="Report for your doctor or physio (PDF)")
    with page.expect_download() as download:
        _press(page, link)
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".pdf"
    text = " ".join(p.extract_text() or "" for p in PdfReader(saved).pages)
    text = " ".join(text.split())
    assert result["conditions"][0]["name"].split(" /")[0] in text
    assert "not a doctor" in text


def test_settings_are_kept_and_the_hip_check_does_not_ask_again(page: Page):
    page.goto("/settings")
    check_page(page)
    _press(page, page.get_by_label("Miles"))
    page.get_by_label("Age (years)").fill("41")
    page.get_by_label("Sex recorded at birth").select_option("female")
    with page.expect_navigation():
        _press(page, page.get_by_role("button", name="Save settings"))
    assert page.get_by_role("status").inner_text() == "Saved."
    check_page(page)
    page.goto("/")
    page.goto("/settings")
    assert page.get_by_label("Miles").is_checked(), "the setting is kept"
    assert page.get_by_label("Age (years)").input_value() == "41"
    page.goto("/assess")
    assert current_question(page) not in ("age", "sex"), "age and sex come from the settings"


def test_the_calendar_and_the_data_download_from_the_programme(desktop: Page, tmp_path: Path):
    import zipfile

    from icalendar import Calendar

    _assessed(desktop)
    desktop.goto("/programme")
    files = {}
    for name in ("The plan for your calendar (iCal, .ics)", "All your data (CSV and JSON, zipped)"):
        with desktop.expect_download() as download:
            desktop.get_by_role("link", name=name).click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        files[saved.suffix] = saved
    events = Calendar.from_ical(files[".ics"].read_bytes()).walk("VEVENT")
    assert events and all(str(e["UID"]) for e in events)
    with zipfile.ZipFile(files[".zip"]) as z:
        assert {"assessment.csv", "session_log.csv", "setting.csv"} <= set(z.namelist())


def test_the_next_morning_rating_moves_the_programme(page: Page):
    from datetime import timedelta

    from hipcoach.services import local_today

    _assessed(page)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    logged = page.request.post("/api/sessions", data={"pain_during": 2, "date": yesterday})
    assert logged.ok, logged.text()
    page.goto("/programme")
    heading = page.get_by_role("heading", name="How is your hip this morning?")
    expect(heading).to_be_visible()
    check_page(page)
    page.get_by_label("Pain this morning (0 = none, 10 = worst)").fill("8")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the rating").click()
    assert "Your programme: go back a step" in page.locator("main").inner_text()
    check_page(page)
    page.goto("/programme")
    expect(page.get_by_role("heading", name="How is your hip this morning?")).to_have_count(0)


def test_back_to_running_and_a_running_plan_at_every_size(page: Page):
    _assessed(page)
    page.goto("/programme")
    page.get_by_role("link", name="Back to running").click()
    expect(page.get_by_role("heading", name="Tests to pass first, in this order")).to_be_visible()
    # The walk-run is followed only once every check is passed without pain.
    expect(page.get_by_role("button", name="Follow this programme")).to_have_count(0)
    check_page(page)
    checks = page.locator('form[action="/programme/return/checks"] input[type="number"]')
    for i in range(checks.count()):
        checks.nth(i).fill("0")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the checks").click()
    expect(page.get_by_role("button", name="Follow this programme")).to_be_visible()
    page.goto("/programme/running")
    # During the episode there is no build-up plan, until the runner says they run pain-free.
    expect(page.get_by_role("heading", name="No build-up plan for now")).to_be_visible()
    check_page(page)
    with page.expect_navigation():
        page.get_by_role("button", name="I'm running again without pain").click()
    expect(page.get_by_role("heading", name="No build-up plan for now")).to_have_count(0)
    page.get_by_label("Goal", exact=True).select_option("half")
    page.get_by_label("Weeks to the goal").fill("16")
    page.get_by_label("Now running per week", exact=False).fill("25")
    with page.expect_navigation():
        page.get_by_role("button", name="Show the plan").click()
    expect(page.get_by_role("heading", name="16 weeks to", exact=False)).to_be_visible()
    check_page(page)
