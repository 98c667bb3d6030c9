"""The same migrations and repository on a real PostgreSQL server (skipped where none is installed).

A throw-away cluster is created in a temporary folder and reached over a Unix socket,
so nothing outside the test touches it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hipcoach.storage.db import open_engine
from hipcoach.storage.repository import Repository
from hipcoach.training.model import Activity


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL server binaries are not installed")
    # Not under pytest's tmp folder: the server's user must be able to reach it.
    root = Path(tempfile.mkdtemp(prefix="hipcoach-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser")
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("no postgres system user")
        shutil.chown(root, "postgres")
        os.chmod(root, 0o700)  # owned by postgres now; nobody else needs in
        prefix = ["runuser", "-u", "postgres", "--"]
    data = root / "data"
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-U", "postgres", "--auth=trust"],
        check=True,
        capture_output=True,
    )
    port = str(54000 + os.getpid() % 1000)
    opts = f"-k {root} -p {port} -c listen_addresses=''"
    subprocess.run(
        [*prefix, pg_ctl, "-D", str(data), "-o", opts, "-w", "start", "-l", str(root / "log")],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={root}&port={port}"
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "fast", "stop"],
            capture_output=True,
            check=False,
        )
        time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)


def test_migrations_and_repository_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    engine = open_engine(tmp_path, url=pg_url)
    assert engine.dialect.name == "postgresql"
    repo = Repository(engine)
    start = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)
    run = Activity(
        sport="running",
        start_utc=start,
        elapsed_s=3600,
        source_format="fit",
        distance_m=10_000,
        utc_offset_s=3600,
    )
    repo.add_file(
        sha256="d" * 64,
        name="x.fit",
        fmt="fit",
        size=1,
        stored_path=None,
        activities=[run],
    )
    (back,) = repo.activities()
    assert back.start_utc == start and back.distance_m == 10_000
    assert repo.duplicate_index().find(run)
    open_engine(tmp_path, url=pg_url)  # re-open: already migrated
