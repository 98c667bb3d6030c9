from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hipcoach.assess.answers import parse_answers
from hipcoach.assess.engine import Assessment, assess
from hipcoach.cli.app import app
from hipcoach.kb.load import KnowledgeBase, load

CASES_DIR = Path(__file__).parent / "cases"


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory, monkeypatch):  # type: ignore[no-untyped-def]
    """No test ever touches the real user's data folder."""
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("HIPCOACH_DATABASE_URL", raising=False)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load()


@pytest.fixture
def run(kb: KnowledgeBase):  # type: ignore[no-untyped-def]
    """Assess a dict of raw answers with the real engine and knowledge base."""

    def _run(answers: dict[str, object]) -> Assessment:
        return assess(kb, parse_answers(kb, answers))

    return _run


@pytest.fixture
def cli():  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def _cli(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return _cli


@pytest.fixture
def home_dir(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """An empty data folder, so no real user's history leaks into a test."""
    folder = tmp_path / "hipcoach-home"
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(folder))
    return folder
