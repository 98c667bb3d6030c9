"""``hipcoach import`` killed with SIGKILL at any moment loses nothing and leaves nothing.

A real command in a real process imports a folder of a few hundred real runs (one GPX
recording moved to a different day each time, see ``import_corpus``) and is killed at
several points: during start-up, after the first file is stored, a third and two thirds
of the way. After each
kill the database passes SQLite's integrity check, no reader process of the killed
import is left running, and running the same import again ends with exactly the
activities of one clean import: none twice, none missing, every stored original on disk,
no half-written original copy.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from import_corpus import process_state, runs, slow_gpx

RUNS = 300
HIPCOACH = [sys.executable, "-m", "hipcoach"]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "HIPCOACH_DATABASE_URL"}
    env["HIPCOACH_DATA_DIR"] = str(home)
    return env


def _import(home: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HIPCOACH, "import", str(folder)],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _group(pgid: int) -> list[int]:
    """Live processes in a process group (workers keep their leader's group when orphaned)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


def _stored(home: Path) -> int:
    """Activities committed so far, read the way any other reader would; 0 before the table."""
    try:
        with sqlite3.connect(f"file:{home / 'hipcoach.db'}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute("SELECT count(*) FROM activity").fetchone()[0])
    except sqlite3.Error:
        return 0


def _wait_until(ready: Callable[[], bool], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, "the import never got there"
        time.sleep(0.01)


def _kill_and_check_no_reader_survives(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = {pid: process_state(pid) for pid in _group(proc.pid)}
    assert not left, f"processes of the killed import still running: {left}"


def _facts(home: Path) -> dict[str, object]:
    db = sqlite3.connect(home / "hipcoach.db")
    try:
        facts: dict[str, object] = {
            "integrity": db.execute("PRAGMA integrity_check").fetchone()[0],
            "activities": db.execute("SELECT count(*) FROM activity").fetchone()[0],
            "same start twice": db.execute(
                "SELECT count(*) FROM (SELECT start_utc FROM activity GROUP BY start_utc "
                "HAVING count(*) > 1)"
            ).fetchone()[0],
            "same file twice": db.execute(
                "SELECT count(*) FROM (SELECT sha256 FROM source_file GROUP BY sha256 "
                "HAVING count(*) > 1)"
            ).fetchone()[0],
        }
        kept = {p for (p,) in db.execute("SELECT stored_path FROM source_file") if p}
    finally:
        db.close()
    on_disk = {
        p.relative_to(home).as_posix()
        for p in (home / "originals").rglob("*")
        if p.is_file() and not p.name.endswith(".part")
    }
    facts["rows without their original"] = len(kept - on_disk)
    facts["originals without a row"] = len(on_disk - kept)
    facts["half-written originals"] = len(list((home / "originals").rglob("*.part")))
    return facts


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    runs(folder, RUNS)
    return folder


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return slow_gpx(tmp_path_factory.mktemp("slow") / "a-very-long.gpx")


@pytest.fixture(scope="module")
def clean(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What one uninterrupted import of the corpus into a fresh data folder gives."""
    home = tmp_path_factory.mktemp("clean")
    done = _import(home, corpus)
    assert done.returncode == 0, done.stderr
    return _facts(home)


KILL_POINTS: dict[str, Callable[[Path, float], bool]] = {
    "0.3 s after start": lambda home, t0: time.monotonic() - t0 >= 0.3,
    "first file stored": lambda home, t0: _stored(home) >= 1,
    "a third stored": lambda home, t0: _stored(home) >= RUNS // 3,
    "two thirds stored": lambda home, t0: _stored(home) >= 2 * RUNS // 3,
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_an_import_killed_at_any_point_is_finished_by_running_it_again(
    point: str, corpus: Path, clean: dict[str, object], tmp_path: Path
) -> None:
    assert clean == {
        "integrity": "ok", "activities": RUNS, "same start twice": 0, "same file twice": 0,
        "rows without their original": 0, "originals without a row": 0,
        "half-written originals": 0,
    }  # fmt: skip
    home = tmp_path / "home"
    proc = subprocess.Popen(
        [*HIPCOACH, "import", str(corpus)],
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: its workers are found by it
    )
    t0 = time.monotonic()
    _wait_until(lambda: proc.poll() is not None or KILL_POINTS[point](home, t0))
    assert proc.poll() is None, "the import finished before the kill point"
    _kill_and_check_no_reader_survives(proc)
    if (home / "hipcoach.db").exists():
        killed = _facts(home)
        assert killed["integrity"] == "ok"
        assert killed["same start twice"] == 0 and killed["rows without their original"] == 0
        print(f"killed at {point}: {killed}")  # shown with -s; the report quotes it
    again = _import(home, corpus)
    assert again.returncode == 0, again.stderr
    assert "Skipped" not in again.stdout
    assert _facts(home) == clean


SCRIPT = """
import sys, threading
from pathlib import Path
from hipcoach.importing import Importer
from hipcoach.storage.db import open_engine
from hipcoach.storage.repository import Repository

if __name__ == "__main__":
    home, folder = Path(sys.argv[1]), Path(sys.argv[2])
    def work():
        Importer(Repository(open_engine(home)), home, workers=2, file_seconds=600).run([folder])
    t = threading.Thread(target=work)  # as the web server does: workers from a forkserver
    t.start()
    t.join()
"""


@pytest.mark.parametrize("how", ["command line (fork)", "background thread (forkserver)"])
def test_readers_die_with_a_killed_import_even_in_the_middle_of_a_file(
    how: str, slow: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(slow, folder / slow.name)
    runs(folder, 20, prefix="b")
    home = tmp_path / "home"
    if how.startswith("command"):
        cmd = [*HIPCOACH, "import", str(folder)]
    else:
        script = tmp_path / "import_in_a_thread.py"
        script.write_text(SCRIPT)
        cmd = [sys.executable, str(script), str(home), str(folder)]
    proc = subprocess.Popen(
        cmd,
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    busy_since: dict[int, float] = {}

    def a_reader_is_busy() -> bool:
        """A process of the import other than itself has been running for a while."""
        assert proc.poll() is None, "the import ended before a reader was seen at work"
        for pid in _group(proc.pid):
            if pid != proc.pid and process_state(pid) == "R":
                busy_since.setdefault(pid, time.monotonic())
                if time.monotonic() - busy_since[pid] > 0.5:
                    return True
            else:
                busy_since.pop(pid, None)
        return False

    _wait_until(a_reader_is_busy, 60)
    _kill_and_check_no_reader_survives(proc)


def test_half_written_originals_of_a_dead_import_are_removed_by_the_next(cli, home_dir):  # type: ignore[no-untyped-def]
    """A ``.part`` copy is named after its writer; the next import removes those whose
    writer is gone (or unnamed, from older versions) and leaves a live writer's alone."""
    cli("import", str(Path(__file__).parent / "data" / "gpx" / "Mojstrovka.gpx"))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], text=True,
                          capture_output=True, check=True).stdout.strip()  # fmt: skip
    live = str(os.getppid())  # whoever started the tests: alive, and not the importer
    folder = home_dir / "originals" / "ab"
    folder.mkdir(parents=True, exist_ok=True)
    dead = folder / f"{'ab' * 32}.gpx.gz.{gone}.part"
    unnamed = folder / f"{'ab' * 31}cd.fit.gz.part"
    writing = folder / f"{'ab' * 31}ef.tcx.gz.{live}.part"
    abandoned = folder / f"{'ab' * 31}ee.tcx.gz.{live}.part"
    for p in (dead, unnamed, writing, abandoned):
        p.write_bytes(b"\x1f\x8b half")
    hours_ago = time.time() - 2 * 3600
    os.utime(abandoned, (hours_ago, hours_ago))
    out = cli("import", str(Path(__file__).parent / "data" / "gpx" / "cerknicko-jezero.gpx"))
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in folder.glob("*.part")) == [writing.name]
