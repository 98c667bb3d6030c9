"""The local server against other websites, with a real ``hipcoach serve`` and real HTTP.

Each server runs as a subprocess (``python -m hipcoach serve``) on a free port and its own
data folder; httpx sends what a browser would send for a hostile page: a foreign ``Host``
(DNS rebinding), or an ``Origin`` and ``Sec-Fetch-Site`` of another site (a cross-site
form or fetch). Every refusal is checked by reading the data back.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from hipcoach.web.security import CONTENT_SECURITY_POLICY

EVIL = "http://evil.example"
CROSS_SITE = {"Origin": EVIL, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
TOKEN = "test-token-0123456789abcdef"  # noqa: S105 - a throwaway token for a test server
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 - what a clinic would use; needs the token


@dataclass
class Server:
    url: str
    port: int
    data: Path
    process: subprocess.Popen[str]

    def same_origin(self) -> dict[str, str]:
        return {"Origin": self.url, "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _hipcoach(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "hipcoach", "--data-dir", str(data), "serve", *args]


def _serve(data: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    command = _hipcoach(data, *args)
    environ = {**os.environ, "HIPCOACH_DATA_DIR": str(data), **(env or {})}
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environ
    )


def _started(data: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    port = _free_port()
    process = _serve(data, "--port", str(port), *args, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # a bounded wait for start-up, not a timing check
            if process.poll() is not None:
                raise RuntimeError(f"hipcoach serve stopped: {process.stdout.read()}")  # type: ignore[union-attr]
            try:
                httpx.get(f"{url}/static/style.css", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("hipcoach serve did not answer")
        yield Server(url, port, data, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _started(tmp_path_factory.mktemp("served"))


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Listening on every interface, as in a clinic, with its token from the environment."""
    yield from _started(
        tmp_path_factory.mktemp("guarded"), "--host", EVERY_INTERFACE, env={"HIPCOACH_TOKEN": TOKEN}
    )


def _settings(server: Server) -> dict[str, object]:
    r = httpx.get(f"{server.url}/api/settings")
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def _assert_secured(response: httpx.Response) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (str(response.url), name)
    policy = response.headers["permissions-policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy
    assert "access-control-allow-origin" not in response.headers, str(response.url)


# --- DNS rebinding ----------------------------------------------------------------------------


def test_a_foreign_host_name_gets_400_and_changes_nothing(server: Server):
    before = _settings(server)
    evil = {"Host": "evil.example"}
    r = httpx.get(f"{server.url}/api/export/data.zip", headers=evil)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/json"  # the API's own error shape
    assert "own address" in r.json()["error"] and "PK" not in r.text[:2]
    _assert_secured(r)
    r = httpx.put(f"{server.url}/api/settings", json={"units": "mi"}, headers=evil)
    assert r.status_code == 400
    # The right name with the wrong port is another server's address.
    r = httpx.get(f"{server.url}/", headers={"Host": f"127.0.0.1:{server.port + 1}"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/plain") and "own address" in r.text
    assert _settings(server) == before
    for name in ("127.0.0.1", "localhost", "[::1]"):
        r = httpx.get(f"{server.url}/api/settings", headers={"Host": f"{name}:{server.port}"})
        assert r.status_code == 200, name


def test_another_name_is_answered_only_when_allowed(tmp_path: Path):
    """A clinic reaching the app by its DNS name says so with --allow-host; other names are
    still refused, and a name that is not a host name is a clear error."""
    for server in _started(tmp_path, "--allow-host", "hipcoach.clinic.lan"):
        named = {"Host": f"hipcoach.clinic.lan:{server.port}"}
        assert httpx.get(f"{server.url}/api/settings", headers=named).status_code == 200
        assert httpx.get(f"{server.url}/", headers={"Host": "evil.example"}).status_code == 400
    done = subprocess.run(
        _hipcoach(tmp_path, "--port", str(_free_port()), "--allow-host", "evil.com/x"),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == 2 and "--allow-host" in out and "Traceback" not in out


# --- cross-site writes ------------------------------------------------------------------------


def test_cross_site_writes_get_403_and_change_nothing(server: Server):
    before = _settings(server)
    url = server.url
    attempts = [
        httpx.post(f"{url}/settings", data={"units": "mi"}, headers=CROSS_SITE),
        httpx.put(f"{url}/api/settings", json={"units": "mi"}, headers=CROSS_SITE),
        httpx.post(f"{url}/training/diary", data={"pain": "7", "where": "groin",
                                                  "when": "after"}, headers=CROSS_SITE),
        httpx.post(f"{url}/api/diary", json={"pain": 7, "where": "groin", "when": "after"},
                   headers=CROSS_SITE),
        httpx.post(f"{url}/training/upload", files={"files": ("a.gpx", b"<gpx/>")},
                   headers=CROSS_SITE),
        httpx.put(f"{url}/api/uploads/a.gpx", content=b"<gpx/>", headers=CROSS_SITE),
        httpx.post(f"{url}/api/imports", json={"uploads": []}, headers=CROSS_SITE),
        httpx.post(f"{url}/api/assess", json={"answers": {"age": 40}}, headers=CROSS_SITE),
        # Only one of the two headers, as older browsers send: refused as well.
        httpx.put(f"{url}/api/settings", json={"units": "mi"}, headers={"Origin": EVIL}),
        httpx.put(f"{url}/api/settings", json={"units": "mi"},
                  headers={"Sec-Fetch-Site": "cross-site"}),
        # Another port on this computer is another site; a sandboxed frame sends "null".
        httpx.put(f"{url}/api/settings", json={"units": "mi"},
                  headers={"Origin": "http://127.0.0.1:1", "Sec-Fetch-Site": "same-site"}),
        httpx.put(f"{url}/api/settings", json={"units": "mi"}, headers={"Origin": "null"}),
    ]  # fmt: skip
    for r in attempts:
        assert r.status_code == 403, (r.request.method, str(r.url), r.status_code, r.text)
        assert "another website" in r.text
        _assert_secured(r)
    assert _settings(server) == before
    assert httpx.get(f"{url}/api/diary").json() == []
    assert httpx.get(f"{url}/api/activities").json() == []
    uploads = server.data / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_same_origin_writes_and_plain_scripts_work(server: Server):
    url = server.url
    r = httpx.put(f"{url}/api/settings", json={"units": "mi"}, headers=server.same_origin())
    assert r.status_code == 200, r.text
    assert _settings(server)["units"] == "mi"
    form = {"Origin": url, "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"}
    r = httpx.post(f"{url}/settings", data={"units": "km"}, headers=form)
    assert r.status_code == 200, r.text
    assert _settings(server)["units"] == "km"
    # What Chromium sends with our own forms under "Referrer-Policy: no-referrer".
    form["Origin"] = "null"
    r = httpx.post(f"{url}/settings", data={"units": "mi"}, headers=form)
    assert r.status_code == 200, r.text
    assert _settings(server)["units"] == "mi"
    r = httpx.post(f"{url}/settings", data={"units": "km"}, headers=form)
    assert _settings(server)["units"] == "km"
    # A typed address or bookmark is "none"; curl and scripts send neither header.
    entry = {"pain": 2, "where": "outer_hip", "when": "after"}
    r = httpx.post(f"{url}/api/diary", json=entry, headers={"Sec-Fetch-Site": "none"})
    assert r.status_code == 201, r.text
    r = httpx.post(f"{url}/api/diary", json=entry)
    assert r.status_code == 201, r.text
    assert len(httpx.get(f"{url}/api/diary").json()) == 2


def test_other_sites_cannot_embed_or_read_but_may_link(server: Server):
    url = server.url
    as_script = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors",
                 "Sec-Fetch-Dest": "script"}  # fmt: skip
    r = httpx.get(f"{url}/api/export/data.zip", headers=as_script)
    assert r.status_code == 403
    preflight = {"Origin": EVIL, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors",
                 "Access-Control-Request-Method": "PUT"}  # fmt: skip
    r = httpx.options(f"{url}/api/settings", headers=preflight)
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers
    link = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate",
            "Sec-Fetch-Dest": "document"}  # fmt: skip
    r = httpx.get(f"{url}/", headers=link)
    assert r.status_code == 200


def test_no_cors_header_even_when_an_origin_asks(server: Server):
    for path in ("/api/settings", "/api/activities", "/", "/static/style.css"):
        r = httpx.get(f"{server.url}{path}", headers={"Origin": EVIL})
        assert "access-control-allow-origin" not in r.headers, path
        assert "access-control-allow-credentials" not in r.headers, path


# --- headers ----------------------------------------------------------------------------------


def test_every_kind_of_response_carries_the_security_headers(server: Server):
    url = server.url
    responses = [
        httpx.get(f"{url}/"),
        httpx.get(f"{url}/training"),
        httpx.get(f"{url}/settings"),
        httpx.get(f"{url}/api/settings"),
        httpx.get(f"{url}/api/openapi.json"),
        httpx.get(f"{url}/static/style.css"),
        httpx.get(f"{url}/static/training.js"),
        httpx.get(f"{url}/no/such/page", headers={"accept": "text/html"}),
        httpx.get(f"{url}/api/no-such-thing"),
        httpx.put(f"{url}/api/settings", json={"units": "furlongs"}),  # 422, bad input
        httpx.post(f"{url}/api/plan"),  # 405
        httpx.get(f"{url}/api/plan"),  # an error: no assessment yet
    ]
    statuses = sorted({r.status_code for r in responses})
    assert 200 in statuses and 404 in statuses and 405 in statuses and 422 in statuses
    for r in responses:
        _assert_secured(r)
    policy = CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    wanted = ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
              "frame-ancestors 'none'", "form-action 'self'"]  # fmt: skip
    for directive in wanted:
        assert directive in policy


def test_pages_have_no_inline_script_style_or_handler(server: Server):
    import re

    for path in ("/", "/assess", "/training", "/programme", "/settings", "/programme/running"):
        html = httpx.get(f"{server.url}{path}").text
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", html), path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html, re.I), path


# --- beyond this computer: the access token ---------------------------------------------------


def test_listening_beyond_this_computer_needs_a_token(tmp_path: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "HIPCOACH_TOKEN"}
    done = subprocess.run(
        _hipcoach(tmp_path, "--host", EVERY_INTERFACE, "--port", str(port)),
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    out = done.stdout + done.stderr
    assert done.returncode != 0
    assert "--token" in out and "Traceback" not in out
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_a_port_out_of_range_is_a_clear_error(tmp_path: Path):
    done = subprocess.run(
        _hipcoach(tmp_path, "--port", "99999"), capture_output=True, text=True, timeout=60
    )
    out = done.stdout + done.stderr
    assert done.returncode == 2
    assert "--port" in out and "65535" in out and "Traceback" not in out


def test_with_a_token_every_request_must_carry_it(guarded: Server):
    url = guarded.url
    for path in ("/", "/api/settings", "/static/style.css", "/api/export/data.zip"):
        r = httpx.get(f"{url}{path}")
        assert r.status_code == 401, path
        assert "access token" in r.text
        _assert_secured(r)
    wrong = httpx.get(f"{url}/api/settings", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.get(f"{url}/api/settings", headers=bearer).status_code == 200
    r = httpx.put(f"{url}/api/settings", json={"units": "mi"}, headers=bearer)
    assert r.status_code == 200

    # The address printed at start-up: the token once, then a cookie.
    first = httpx.get(f"{url}/training?weeks=8&token={TOKEN}")
    assert first.status_code == 303
    assert first.headers["location"] == "/training?weeks=8"  # out of the address bar
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    with httpx.Client(base_url=url, follow_redirects=True) as browser:
        r = browser.get(f"/?token={TOKEN}")
        assert r.status_code == 200 and "hipcoach" in r.text
        assert browser.get("/api/settings").json()["units"] == "mi"
    # The token does not excuse a foreign Host or a cross-site write.
    r = httpx.get(f"{url}/api/settings", headers={**bearer, "Host": "evil.example"})
    assert r.status_code == 400
    r = httpx.put(f"{url}/api/settings", json={"units": "km"}, headers={**bearer, **CROSS_SITE})
    assert r.status_code == 403


def test_the_start_message_prints_the_address_with_the_token(guarded: Server):
    guarded.process.terminate()
    out, _ = guarded.process.communicate(timeout=10)
    assert f"?token={TOKEN}" in out
    assert f":{guarded.port}/" in out


def test_a_crash_answer_carries_the_headers_too(home_dir: Path):
    """A 500 is sent by Starlette's outermost layer, past every middleware: the crash
    handler adds the headers itself. (A crash cannot be caused on the real server.)"""
    from fastapi.testclient import TestClient

    from hipcoach.web.api import create_app

    app = create_app(allowed_hosts={"testserver"})

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    client = TestClient(app, raise_server_exceptions=False)
    for accept in ("text/html", "application/json"):
        r = client.get("/boom", headers={"accept": accept})
        assert r.status_code == 500
        _assert_secured(r)


def test_an_oversized_form_or_json_body_is_refused_before_it_is_read(server: Server):
    before = len(httpx.get(f"{server.url}/api/diary").json())
    big = b'{"pain": 2, "where": "outer_hip", "when": "after", "note": "' + b"x" * 2_000_000 + b'"}'
    json_type = {"content-type": "application/json"}
    r = httpx.post(f"{server.url}/api/diary", content=big, headers=json_type)
    assert r.status_code == 413
    assert "larger than 1 MB" in r.text
    _assert_secured(r)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for i in range(0, len(big), 65_536):
            yield big[i : i + 65_536]

    r = httpx.post(f"{server.url}/api/diary", content=chunks(), headers=json_type)
    assert r.status_code == 413
    r = httpx.post(f"{server.url}/settings", data={"units": "mi", "pad": "y" * 1_100_000})
    assert r.status_code == 413
    assert len(httpx.get(f"{server.url}/api/diary").json()) == before
    # A small body still works, and the server still answers.
    entry = {"pain": 1, "where": "outer_hip", "when": "after"}
    r = httpx.post(f"{server.url}/api/diary", json=entry)
    assert r.status_code == 201, r.text


def test_a_wrong_json_body_is_named_not_echoed_back(server: Server):
    r = httpx.post(f"{server.url}/api/diary", json=["x" * 100] * 8_000)  # 830 KB, not an object
    assert r.status_code == 422
    message = r.json()["error"]
    assert len(r.content) < 1_000, len(r.content)
    assert "valid dictionary" in message
    assert "8,000 items" in message
