"""Hostile forms and bodies get a clear 4xx, never a 500, and never an echo of the input.

The hip-check wizard keeps its answers in a hidden ``state`` field that comes back from
the browser, and ``POST /api/assess`` takes any JSON: both are checked in process (the
ASGI client) and, once, against a real ``hipcoach serve`` that must keep answering.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipcoach.web.pages import MAX_STATE_CHARS

REPLY_BOUND = 600  # characters of a JSON error: a bad value is quoted shortened
DAMAGED = "the form's state is damaged; start the hip check again"
JSON = {"content-type": "application/json"}
EXAMPLE = json.dumps({"answers": {"age": 45, "onset": "gradual", "location": ["outer_hip"]}})


def nested(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


def wizard(client: Any, state: str, **fields: str) -> Any:
    return client.post("/assess", data={"state": state, "question": "age", **fields})


def assert_clear_error(r: Any, status: int, phrase: str) -> None:
    assert r.status_code == status, r.text[:REPLY_BOUND]
    assert len(r.text) < REPLY_BOUND, r.text[:REPLY_BOUND]
    assert phrase in r.json()["error"]


# --- the wizard's state ------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        '{"age": ' + nested(5000) + "}",  # json.loads: RecursionError
        '{"location": ' + nested(900, '"outer_hip"') + "}",  # parses, but no answer is that
        '{"age": ' + "9" * 5000 + "}",  # Python refuses ints of over 4,300 digits
        '{"age": ' + "9" * 400 + "}",  # beyond any float
        '{"age": 1e309}',
        '{"age": NaN}',
        '{"onset": "' + "x" * 50_000 + '"}',
        '{"' + "q" * 50_000 + '": 1}',
        '{"sex": "' + "x" * MAX_STATE_CHARS + '"}',  # longer than any real state
        nested(5000),
        "[not json",
    ],
    ids=[
        "deep",
        "deep-900",
        "5000-digits",
        "400-digits",
        "inf",
        "nan",
        "long-answer",
        "long-key",
        "oversized",
        "deep-not-object",
        "broken",
    ],
)
def test_a_damaged_state_is_a_clear_4xx_not_a_500(client, state):
    assert_clear_error(wizard(client, state, value="40"), 422, DAMAGED)
    assert_clear_error(wizard(client, state, back="1"), 422, DAMAGED)


def test_a_damaged_state_in_a_browser_is_an_error_page(client):
    r = client.post(
        "/assess",
        data={"state": '{"age": ' + nested(5000) + "}", "question": "age", "value": "40"},
        headers={"accept": "text/html"},
    )
    assert r.status_code == 422
    assert "start the hip check again" in r.text
    assert "[[[[" not in r.text


def test_a_damaged_rechecked_field_only_means_asking_again(client):
    for rechecked in (nested(5000), nested(900, '"fever"'), '{"a": 1}', "x" * 200_000):
        r = wizard(client, "{}", value="40", rechecked=rechecked)
        assert r.status_code == 200
        assert "<form" in r.text


def test_an_unknown_question_is_quoted_shortened(client):
    r = client.post("/assess", data={"state": "{}", "question": "q" * 100_000, "value": "1"})
    assert_clear_error(r, 422, "(100,000 characters); start the hip check again")


def test_a_huge_answer_is_asked_again_with_a_short_message(client):
    r = wizard(client, "{}", value="9" * 100_000)
    assert r.status_code == 200
    assert "(100,000 characters), out of range" in r.text
    assert "9" * 1000 not in r.text


def test_a_valid_state_still_works(client):
    r = wizard(client, '{"location": ["outer_hip"]}', value="40")
    assert r.status_code == 200
    assert "40.0" in r.text  # the new answer is carried in the state


# --- POST /api/assess --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "phrase"),
    [
        ('{"answers": ' + nested(5000) + "}", 422, "nested more than 20 levels deep"),
        ('{"answers": {"onset": ' + nested(900) + "}}", 422, "nested more than 20 levels"),
        ('{"answers": {"age": ' + "9" * 5000 + "}}", 422, "a number of 5,000 digits"),
        ('{"answers": {"age": ' + "9" * 400 + "}}", 422, "a 400-digit number, out of range"),
        ('{"answers": {"age": 1e309}}', 422, "is inf, out of range"),
        ('{"answers": {"age": NaN}}', 422, "is nan, out of range"),
        ('{"answers": {"onset": "' + "x" * 900_000 + '"}}', 422, "(900,000 characters)"),
        ('["' + "x" * 900_000 + '"]', 422, "the body is a JSON list"),
        ('"' + "x" * 900_000 + '"', 422, "the body is a JSON str"),
        ("x" * 1_100_000, 413, "larger than 1 MB"),
        ('{"answers": {', 422, "the body is not JSON (line 1, column 14"),
        ("", 422, "the body is empty"),
    ],
    ids=[
        "deep",
        "deep-900",
        "5000-digits",
        "400-digits",
        "inf",
        "nan",
        "long-answer",
        "long-list",
        "long-string",
        "oversized",
        "broken",
        "empty",
    ],
)
def test_a_hostile_api_body_is_a_clear_json_error(client, body, status, phrase):
    r = client.post("/api/assess", content=body, headers=JSON)
    assert_clear_error(r, status, phrase)


def test_a_body_that_is_not_utf8_is_a_clear_error(client):
    r = client.post("/api/assess", content=b"\xff\xfe{}", headers=JSON)
    assert_clear_error(r, 422, "not UTF-8")


def test_the_api_still_assesses_after_hostile_bodies(client):
    client.post("/api/assess", content=nested(5000), headers=JSON)
    r = client.post("/api/assess", content=EXAMPLE, headers=JSON, params={"store": False})
    assert r.status_code == 200
    assert r.json()["urgency"]["level"]


def test_the_schema_still_documents_the_json_body(client):
    body = client.get("/api/openapi.json").json()["paths"]["/api/assess"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["type"] == "object"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("put", "/api/settings", {"age": "x" * 500_000}),
        ("put", "/api/settings", {"units": "x" * 500_000}),
        ("post", "/api/diary", {"pain": "x" * 500_000, "where": "outer_hip", "when": "after"}),
        ("post", "/api/diary", {"pain": 3, "where": "x" * 500_000, "when": "after"}),
        ("post", "/api/diary", {"pain": 3, "where": "outer_hip", "when": "x" * 500_000}),
        (
            "post",
            "/api/diary",
            {"pain": 3, "where": "groin", "when": "after", "date": "x" * 500_000},
        ),
    ],
    ids=["age", "units", "pain", "where", "when", "date"],
)
def test_settings_and_diary_errors_quote_a_bad_value_shortened(client, method, path, body):
    r = client.request(method, path, json=body)
    assert_clear_error(r, 422, "(500,000 characters)")


def test_a_diary_pain_beyond_any_float_is_out_of_range(client):
    body = '{"pain": ' + "9" * 400 + ', "where": "outer_hip", "when": "after"}'
    r = client.post("/api/diary", content=body, headers=JSON)
    assert_clear_error(r, 422, "pain must be a whole number from 0 to 10; got a 400-digit number")


# --- properties --------------------------------------------------------------------------

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**400), 10**400),
    st.floats(),
    st.text(max_size=100),
)
json_like = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
bodies = st.one_of(
    json_like.map(lambda v: json.dumps({"answers": v})),
    st.dictionaries(st.sampled_from(["age", "onset", "location", "fever", "x"]), json_like).map(
        lambda a: json.dumps({"answers": a})
    ),
    st.text(max_size=200),
    st.builds(lambda d: nested(d), st.integers(0, 3000)),
    st.builds(lambda n: '{"answers": {"age": ' + "9" * n + "}}", st.integers(1, 6000)),
)
FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FAST
@given(body=bodies)
def test_any_api_body_is_answered_or_refused_clearly(client, body):
    r = client.post("/api/assess", content=body, headers=JSON, params={"store": False})
    assert r.status_code in (200, 422), r.text[:REPLY_BOUND]
    if r.status_code == 422:
        assert len(r.text) < REPLY_BOUND


@FAST
@given(state=bodies)
def test_any_wizard_state_is_asked_on_or_refused_clearly(client, state):
    r = wizard(client, state, value="40")
    assert r.status_code in (200, 422), r.text[:REPLY_BOUND]
    if r.status_code == 422:
        assert r.json()["error"] == DAMAGED


# --- a real server -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """``hipcoach serve`` in its own process on a free port, until the test ends; what it
    logs goes to ``serve.log`` in the test's folder."""
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hipcoach",
            "--data-dir",
            str(tmp_path / "data"),
            "serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # wait for it to listen (it loads the knowledge base first)
            if proc.poll() is not None:
                text = (tmp_path / "serve.log").read_text()[-2000:]
                pytest.fail(f"hipcoach serve exited: {text}")
            try:
                httpx.get(f"{url}/api/questions", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("hipcoach serve did not start listening")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_a_real_server_refuses_a_deep_state_and_keeps_answering(server, tmp_path):
    deep = {"state": '{"age": ' + nested(40_000) + "}", "question": "age", "value": "40"}
    r = httpx.post(f"{server}/assess", data=deep, timeout=30)
    assert r.status_code == 422
    assert r.json() == {"error": DAMAGED}

    r = httpx.post(
        f"{server}/api/assess",
        content='{"answers": ' + nested(40_000) + "}",
        headers=JSON,
        timeout=30,
    )
    assert r.status_code == 422 and "nested more than 20 levels deep" in r.json()["error"]

    assert httpx.get(f"{server}/assess", timeout=30).status_code == 200
    r = httpx.post(f"{server}/api/assess", content=EXAMPLE, headers=JSON, timeout=30)
    assert r.status_code == 200 and r.json()["urgency"]["level"]
    assert "Traceback" not in (tmp_path / "serve.log").read_text()  # no crash, not even logged
