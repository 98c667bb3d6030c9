from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hipcoach.web.api import create_app

TEST_CLIENT_HOSTS = frozenset({"testserver"})  # TestClient's Host header


@pytest.fixture
def client(home_dir):  # type: ignore[no-untyped-def]
    """The app in-process, on the test's own empty data folder. It answers the test
    client's own host name, ``testserver``, which a real server never does."""
    return TestClient(create_app(allowed_hosts=TEST_CLIENT_HOSTS))
