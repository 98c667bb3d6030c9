"""Real-browser tests: Debian's Chromium driven by Playwright against a live local server.

* One uvicorn server for this package's tests runs ``create_app()`` in a background thread
  on a free loopback port (stopped, like the browser, when they are done). It keeps no
  store of its own: every request opens the database in ``HIPCOACH_DATA_DIR``, which the
  autouse fixture in ``tests/conftest.py`` points at a fresh folder for each test. So every
  test starts on an empty store ("first run" is real) and ``data_folder`` is the folder the
  server is writing to during that test.
* Chromium is ``/usr/bin/chromium`` from Debian (``scripts/test`` installs it); Playwright's
  own browser download is never used. Without that binary the browser tests are skipped.
  Playwright gives each launch a new, empty profile (user-data-dir) of its own.
* ``desktop`` (1280×800) and ``phone`` (390×844, touch) pages, and ``page`` for both.
* Every page records the requests it makes; a request to any host but the loopback server
  fails the test. So does any "Content Security Policy" message in the browser's console:
  the server's CSP refused a script, a style or an ``eval`` the page tried. On failure a
  full-page screenshot and the page's HTML go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from hipcoach.web.api import create_app
from hipcoach.web.security import local_hosts

from .support import CSP_REFUSAL, SIZES, csp_violations, requests_made

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOOPBACK = "127.0.0.1"


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test item, so fixtures can see whether it failed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="package")
def live_server() -> Iterator[str]:
    """The app on a free loopback port, for the whole session; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))
    port = sock.getsockname()[1]
    app = create_app(allowed_hosts=local_hosts(port))
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(500):  # a bounded wait for start-up, not a timing check
        if server.started:
            started.set()
            break
        if not thread.is_alive():
            break
        started.wait(0.02)
    if not started.is_set():
        raise RuntimeError("the live server did not start")
    yield f"http://{LOOPBACK}:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def data_folder() -> Path:
    """This test's own, initially empty, data folder: the one the live server uses now."""
    return Path(os.environ["HIPCOACH_DATA_DIR"])


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium; "
            "scripts/test installs it when run as root)"
        )
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")[:150]


def _open_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: str, size: str
) -> Iterator[Page]:
    options: dict[str, object] = {"viewport": SIZES[size], "base_url": live_server}
    if size == "phone":
        options |= {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
    context = browser.new_context(**options)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)  # fail sooner than Playwright's 30 s; not a check
    page = context.new_page()
    seen = requests_made(page)
    page.on("request", lambda r: seen.append(r.url))
    refused = csp_violations(page)
    page.on("console", lambda m: refused.append(m.text) if CSP_REFUSAL in m.text else None)
    yield page
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = _artifact_name(request.node.nodeid)
        stem = ARTIFACTS / (name if name.endswith(size) else f"{name}-{size}")
        try:
            page.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # the page may be gone; the test's own failure matters more
            print(f"no screenshot for {request.node.nodeid}: {exc}")
    context.close()
    outside = [u for u in seen if urlsplit(u).hostname not in (LOOPBACK, None)]
    outside = [u for u in outside if not u.startswith(("data:", "about:", "blob:"))]
    if outside:
        pytest.fail(f"pages made requests outside the loopback server: {outside}")
    if refused:
        pytest.fail(f"the Content-Security-Policy refused something: {refused[:5]}")


@pytest.fixture
def desktop(request: pytest.FixtureRequest, browser: Browser, live_server: str) -> Iterator[Page]:
    yield from _open_page(request, browser, live_server, "desktop")


@pytest.fixture
def phone(request: pytest.FixtureRequest, browser: Browser, live_server: str) -> Iterator[Page]:
    yield from _open_page(request, browser, live_server, "phone")


@pytest.fixture(params=list(SIZES))
def page(request: pytest.FixtureRequest, browser: Browser, live_server: str) -> Iterator[Page]:
    """A page at each size in turn: the test runs once on a desktop and once on a phone."""
    yield from _open_page(request, browser, live_server, request.param)
