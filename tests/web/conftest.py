from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hipcoach.web.api import create_app


@pytest.fixture
def client(home_dir):  # type: ignore[no-untyped-def]
    """The app in-process, on the test's own empty data folder."""
    return TestClient(create_app())
