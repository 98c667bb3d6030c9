"""Helpers for the browser tests: accessibility (axe-core), layout, and driving the hip check
the way a person does — by clicking or tapping the labels, or with the keyboard alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Dialog, Page, expect

from web.test_escaping import payload_export

SIZES: dict[str, dict[str, int]] = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
CASES = Path(__file__).parents[1] / "cases"
BLOCKING_IMPACTS = ("serious", "critical")
MAX_QUESTIONS = 80
IMPORT_WAIT_MS = 120_000  # how long to wait for an import to finish; not a speed check
INJECTED = 'img[src="x"], svg[onload], [onerror], [onload], script:not([src]):not([type])'
"""Elements that imported names written as markup would create if they were not escaped."""

_requests: WeakKeyDictionary[Page, list[str]] = WeakKeyDictionary()
_csp: WeakKeyDictionary[Page, list[str]] = WeakKeyDictionary()
CSP_REFUSAL = "Content Security Policy"  # in every console message of a CSP refusal
_axe = Axe()  # axe-core's axe.min.js as shipped in axe-playwright-python: no network needed


def requests_made(page: Page) -> list[str]:
    """Every URL this page has requested so far (filled in by the page fixtures)."""
    return _requests.setdefault(page, [])


def csp_violations(page: Page) -> list[str]:
    """The console messages in which the Content-Security-Policy refused something."""
    return _csp.setdefault(page, [])


def case_answers(file: str, case_id: str) -> dict[str, Any]:
    """The answers of one scenario case in tests/cases/*.jsonl."""
    for line in (CASES / file).read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["id"] == case_id:
            return dict(case["answers"])
    raise KeyError(case_id)


# --- accessibility and layout -------------------------------------------------------------


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation."""
    results = _axe.run(page).response
    blocking = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if not blocking:
        return
    lines = [f"{len(blocking)} serious accessibility problem(s) on {page.url}:"]
    for v in blocking:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:5]:
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(f"    at {' '.join(map(str, node['target']))}: {summary[:300]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    raise AssertionError("\n".join(lines))


_WIDER_THAN_VIEWPORT = """() => {
  const doc = document.documentElement;
  const limit = doc.clientWidth;
  const clipped = el => {  // inside a box that scrolls or clips on its own, e.g. a wide table
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > limit + 1 && !clipped(el)) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.classList.length ? "." + [...el.classList].join(".") : "");
      wide.push(`${name} (${Math.round(box.left)}..${Math.round(box.right)}px)`);
    }
  }
  return {scroll: doc.scrollWidth, width: limit, wide: wide.slice(0, 8)};
}"""


def assert_fits_width(page: Page) -> None:
    """Nothing on the page is wider than the viewport: no sideways scrolling on a phone."""
    found = page.evaluate(_WIDER_THAN_VIEWPORT)
    assert found["scroll"] <= found["width"] and not found["wide"], (
        f"{page.url} is {found['scroll']}px wide in a {found['width']}px viewport; "
        f"too wide: {found['wide']}"
    )


def check_page(page: Page) -> None:
    """What every page must satisfy at every size."""
    assert_fits_width(page)
    assert_accessible(page)


# --- the hip check wizard -----------------------------------------------------------------


def _form_value(answer: Any) -> str | list[str]:
    if answer is True:
        return "yes"
    if answer is False:
        return "no"
    if isinstance(answer, list):
        return [str(a) for a in answer]
    return str(answer)


def current_question(page: Page) -> str | None:
    """The id in the wizard's hidden ``question`` input, or None on the result page."""
    field = page.locator('input[type="hidden"][name="question"]')
    return field.get_attribute("value") if field.count() else None


def _submit(page: Page, button: str, *, tap: bool) -> None:
    target = page.get_by_role("button", name=button, exact=True)
    with page.expect_navigation():
        target.tap() if tap else target.click()


def _choose(page: Page, value: str, *, tap: bool) -> None:
    """Click (or tap) the label that holds the choice: the label is what a person touches."""
    label = page.locator("label").filter(has=page.locator(f'input[name="value"][value="{value}"]'))
    label.tap() if tap else label.click()
    assert page.locator(f'input[name="value"][value="{value}"]').is_checked()


def answer_by_pointer(page: Page, qid: str, answer: Any, *, tap: bool = False) -> None:
    value = _form_value(answer)
    number = page.locator('input[name="value"][type="number"]')
    if number.count():
        number.fill(str(value))
    elif isinstance(value, list):
        for v in value:
            _choose(page, v, tap=tap)
    else:
        _choose(page, value, tap=tap)
    _submit(page, "Next", tap=tap)


# The keyboard alone: Tab moves between controls, arrows move within a radio group and
# choose, Space ticks, Enter presses the focused button.


def _focused(page: Page) -> dict[str, str]:
    result: dict[str, str] = page.evaluate(
        """() => { const el = document.activeElement;
                   return {tag: el.tagName.toLowerCase(), type: el.type || "",
                           name: el.name || "", value: el.value || "",
                           text: (el.innerText || "").trim()}; }"""
    )
    return result


def _tab_until(page: Page, wanted: dict[str, str], what: str) -> None:
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if all(focused.get(k) == v for k, v in wanted.items()):
            return
    raise AssertionError(f"Tab never reached {what} on {page.url}")


def _press_button(page: Page, text: str) -> None:
    _tab_until(page, {"tag": "button", "text": text}, f"the {text!r} button")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def answer_by_keyboard(page: Page, qid: str, answer: Any) -> None:
    value = _form_value(answer)
    kind = page.locator('input[name="value"]').first.get_attribute("type")
    if kind == "number":
        _tab_until(page, {"name": "value"}, "the number box")
        page.keyboard.type(str(value))
    elif kind == "checkbox":
        wanted = set(value if isinstance(value, list) else [value])
        _tab_until(page, {"name": "value"}, "the first checkbox")
        boxes = page.locator('input[name="value"]').count()
        for i in range(boxes):
            if _focused(page)["value"] in wanted:
                page.keyboard.press("Space")
            if i < boxes - 1:
                page.keyboard.press("Tab")
    else:  # a radio group: Tab enters it, the arrows choose
        _tab_until(page, {"name": "value"}, "the choices")
        options = page.locator('input[name="value"]').count()
        if _focused(page)["value"] == value:
            page.keyboard.press("Space")
        for _ in range(options):
            if page.locator(f'input[name="value"][value="{value}"]').is_checked():
                break
            page.keyboard.press("ArrowDown")
    assert page.locator('input[name="value"]:checked, input[type="number"]').count(), qid
    _press_button(page, "Next")


def dont_know(page: Page, *, keyboard: bool = False, tap: bool = False) -> None:
    if keyboard:
        _press_button(page, "Don't know")
    else:
        _submit(page, "Don't know", tap=tap)


def run_hip_check(
    page: Page,
    answers: dict[str, Any],
    *,
    keyboard: bool = False,
    tap: bool = False,
    check_each_new_layout: bool = True,
    until: str | None = None,
) -> list[str]:
    """Go through the wizard from /assess answering from ``answers`` by question id, and
    "Don't know" to anything else, until the result page. Returns the questions asked.

    With ``check_each_new_layout`` the layout and accessibility checks run on the first
    question of each kind (number, yes/no, choice, several choices, the body map). With
    ``until`` it stops when that question is on the screen."""
    page.goto("/assess")
    asked: list[str] = []
    layouts_checked: set[str] = set()
    for _ in range(MAX_QUESTIONS):
        qid = current_question(page)
        if qid is None or qid == until:
            return asked
        assert qid not in asked[-1:], f"the wizard asked {qid!r} again: {_error_text(page)}"
        asked.append(qid)
        if check_each_new_layout:
            layout = _layout(page)
            if layout not in layouts_checked:
                layouts_checked.add(layout)
                check_page(page)
        if answers.get(qid) is None:
            dont_know(page, keyboard=keyboard, tap=tap)
        elif keyboard:
            answer_by_keyboard(page, qid, answers[qid])
        else:
            answer_by_pointer(page, qid, answers[qid], tap=tap)
    raise AssertionError(f"no result after {MAX_QUESTIONS} questions: {asked}")


def _layout(page: Page) -> str:
    kind = page.locator('input[name="value"]').first.get_attribute("type") or "?"
    options = page.locator('input[name="value"]').count()
    bodymap = page.locator("figure.bodymap").count()
    return f"{kind}:{'map' if bodymap else ''}:{'2' if options == 2 else 'n'}"


def _error_text(page: Page) -> str:
    error = page.locator(".error")
    return error.inner_text() if error.count() else "(no error shown)"


def import_hostile_export(page: Page, tmp_path: Path) -> list[str]:
    """Upload, on /training, an export whose activity names and shoes are markup and script
    (``web.test_escaping.PAYLOADS``), and wait until it is imported. Returns the list the
    page's dialogs (an ``alert()`` that got through) are recorded in, each dismissed: a test
    asserts it stays empty."""
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    export = tmp_path / "export_1.zip"
    export.write_bytes(payload_export())
    page.goto("/training")
    page.get_by_label("Your export or activity files").set_input_files(export)
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator("#upload-status")).to_contain_text(
        "Import finished", timeout=IMPORT_WAIT_MS
    )
    return dialogs
