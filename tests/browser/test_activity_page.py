"""An activity's page in a real browser, on a desktop and on a phone: real watch files
uploaded through the training page, the table's row opened, the route, splits and lines
drawn under the strict CSP with nothing from the network, and the table fitting a phone."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from web.test_escaping import PAYLOADS

from .support import IMPORT_WAIT_MS, INJECTED, SIZES, check_page, import_hostile_export

DATA = Path(__file__).parents[1] / "data"
FENIX = DATA / "fit" / "activity-small-fenix2-run.fit"  # 9 km with GPS, heart rate, cadence
TCX = DATA / "tcx" / "run_garmin.tcx"
PHONE_COLUMNS = ("Date", "Distance", "Time", "Pace")


def _is_phone(page: Page) -> bool:
    return page.viewport_size == SIZES["phone"]


def _upload(page: Page) -> None:
    page.goto("/training")
    page.get_by_label("Your export or activity files").set_input_files([FENIX, TCX])
    button = page.get_by_role("button", name="Upload and import")
    button.tap() if _is_phone(page) else button.click()
    expect(page.locator("#upload-status")).to_contain_text(
        "Import finished", timeout=IMPORT_WAIT_MS
    )
    page.goto("/training")


def test_a_row_of_the_table_opens_the_activitys_page(page: Page):
    _upload(page)
    table = page.locator("table.activities")
    expect(table.locator("tbody tr")).to_have_count(2)
    link = table.get_by_role("link", name="2015-08-15 16:45")
    link.tap() if _is_phone(page) else link.click()
    page.wait_for_url("**/training/activity/20150815T144508Z")
    assert page.get_by_role("heading", name="Summary").is_visible()
    assert "Saturday 15 August 2015, 16:45" in page.locator(".when").inner_text()
    route = page.get_by_role("img", name="The route, from the start (green)")
    expect(route).to_be_visible()
    box = route.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    expect(page.locator(".km-marker")).to_have_count(9)
    splits = page.locator("table.splits tbody tr")
    expect(splits).to_have_count(9)
    assert splits.first.inner_text().split()[:3] == ["1", "5:17", "/km"]
    for title in ("Pace", "Heart rate", "Cadence", "Elevation"):
        chart = page.get_by_role("img", name=f"{title} over the distance")
        expect(chart).to_be_visible()
    check_page(page)


def test_pointing_at_a_chart_reads_out_the_value_there(desktop: Page):
    _upload(desktop)
    desktop.goto("/training/activity/20150815T144508Z")
    desktop.locator("#chart-heart_rate svg").hover()  # its middle: about 4.5 km
    readout = desktop.locator("#chart-heart_rate text.readout")
    expect(readout).to_have_attribute("visibility", "visible")
    text = readout.text_content() or ""
    assert text.startswith(("4.", "5.")) and "km:" in text and text.endswith(" bpm"), text


def test_on_a_phone_the_table_shows_date_distance_time_and_pace_without_scrolling(phone: Page):
    _upload(phone)
    table = phone.locator("table.activities")
    for name in PHONE_COLUMNS:
        expect(table.get_by_role("columnheader", name=name, exact=True)).to_be_visible()
    for name in ("Sport", "Name", "Avg HR", "Shoes"):
        expect(table.get_by_role("columnheader", name=name, exact=True)).to_be_hidden()
    row = table.locator("tbody tr").first
    cells = [c for c in row.locator("th, td").all() if c.is_visible()]
    assert len(cells) == 4
    assert cells[1].inner_text().endswith("km") and cells[3].inner_text().endswith("/km")
    widths = phone.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth,"
        " document.querySelector('#activities .table-wrap').scrollWidth,"
        " document.querySelector('#activities .table-wrap').clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    assert widths[2] <= widths[3], f"the table scrolls sideways: {widths}"
    check_page(phone)


def test_the_favicon_is_the_apps_own(desktop: Page, live_server: str):
    desktop.goto("/training")
    icon = desktop.request.get("/favicon.ico")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
    assert desktop.locator('link[rel="icon"]').get_attribute("href") == "/static/favicon.svg"


def test_hostile_names_and_shoes_stay_text_on_every_activity_page(desktop: Page, tmp_path: Path):
    dialogs = import_hostile_export(desktop, tmp_path)
    desktop.goto("/training")
    links = desktop.locator("table.activities tbody th a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) == len(PAYLOADS)
    shown = set()
    for href in hrefs:
        desktop.goto(str(href))
        expect(desktop.locator(".route-map")).to_be_visible()
        shown.add(desktop.get_by_role("heading", level=1).inner_text())
        assert desktop.locator(INJECTED).count() == 0, f"an element was injected on {href}"
    assert shown == set(PAYLOADS)
    assert not dialogs, f"a dialog opened: {dialogs}"
