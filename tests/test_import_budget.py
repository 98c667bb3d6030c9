"""A file that takes too long to read, or takes its reader down, costs that file only.

The hostile file here is a real, valid GPX made very long (see ``import_corpus``): with
the budget set small through ``HIPCOACH_IMPORT_FILE_SECONDS`` it stands for a file that
makes a reader spin. The assertions are about what the runner sees — which files were
imported and the reason given for the one that was not — never about how long it took.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hipcoach.errors import InputError
from hipcoach.import_jobs import Job, Jobs
from hipcoach.importers.sources import estimate_items
from hipcoach.importing import FILE_SECONDS, Importer, Outcome, budget_from_env
from hipcoach.storage.db import open_engine
from hipcoach.storage.repository import Repository
from import_corpus import process_state, runs, slow_gpx

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return slow_gpx(tmp_path_factory.mktemp("slow") / "m-very-long.gpx")


def _folder(tmp_path: Path, slow: Path) -> Path:
    """Three runs, the slow file, then three more runs (files are read in name order)."""
    folder = tmp_path / "in"
    runs(folder, 3, prefix="a")
    shutil.copy(slow, folder / slow.name)
    runs(folder, 3, prefix="z")
    for p in folder.glob("z-*.gpx"):  # other days than the a- runs
        p.write_text(p.read_text().replace("<time>2020-", "<time>2019-"))
    return folder


def _importer(home: Path, **kw: object) -> Importer:
    return Importer(Repository(open_engine(home)), home, **kw)  # type: ignore[arg-type]


def _children() -> set[int]:
    """Live forked children of this test process: the readers of an import run here (a fork
    server or resource tracker, started by other tests, runs another command line)."""
    me = str(os.getpid())
    cmdline = Path("/proc/self/cmdline").read_bytes()
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            forked = (stat.parent / "cmdline").read_bytes() == cmdline
        except OSError:
            continue
        if fields[1] == me and fields[0] != "Z" and forked:
            out.add(int(stat.parent.name))
    return out


def test_a_file_over_the_time_budget_is_skipped_and_the_rest_imported(
    tmp_path: Path, slow: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIPCOACH_IMPORT_FILE_SECONDS", "2")
    home = tmp_path / "home"
    outcomes: list[Outcome] = []
    report = _importer(home, workers=2).run(
        [_folder(tmp_path, slow)], lambda o, _: outcomes.append(o)
    )
    assert [o.name.rsplit("/", 1)[-1] for o in report.skipped] == ["m-very-long.gpx"], (
        report.skipped
    )
    reason = report.skipped[0].reason
    assert reason.startswith("took longer than 2 s to read; skipped — it may be damaged or hostile")
    assert "HIPCOACH_IMPORT_FILE_SECONDS" in reason
    assert report.imported_activities == 6  # the three after it too: its worker was replaced
    assert [o.status for o in outcomes].count("imported") == 6
    assert Repository(open_engine(home)).count() == 6
    assert _children() == set()  # the stuck reader was killed, the others stopped


def test_a_reader_that_dies_costs_its_file_only(tmp_path: Path, slow: Path) -> None:
    """One worker, killed with SIGKILL (as the OOM killer would) while it reads the slow file:
    that file is skipped with the reason, a new worker reads the files still waiting."""
    home = tmp_path / "home"
    folder = _folder(tmp_path, slow)
    reported: list[Outcome] = []
    killed: list[int] = []

    def kill_the_busy_reader() -> None:
        while len(reported) < 3:  # the three a- runs are in; the slow file is next
            time.sleep(0.02)
        running_since: dict[int, float] = {}
        deadline = time.monotonic() + 60
        while not killed and time.monotonic() < deadline:
            for pid in _children():
                if process_state(pid) == "R":
                    running_since.setdefault(pid, time.monotonic())
                    if time.monotonic() - running_since[pid] > 0.5:
                        os.kill(pid, signal.SIGKILL)
                        killed.append(pid)
                else:
                    running_since.pop(pid, None)
            time.sleep(0.02)

    killer = threading.Thread(target=kill_the_busy_reader, daemon=True)
    killer.start()
    report = _importer(home, workers=1, file_seconds=600).run(
        [folder], lambda o, _: reported.append(o)
    )
    killer.join(5)
    assert killed, "no reader was seen reading the slow file"
    assert [o.name.rsplit("/", 1)[-1] for o in report.skipped] == ["m-very-long.gpx"], (
        report.skipped
    )
    assert report.skipped[0].reason.startswith(
        "the process reading it stopped unexpectedly (killed by SIGKILL"
    )
    assert "skipped — it may be damaged or hostile" in report.skipped[0].reason
    assert report.imported_activities == 6
    assert [o.name.rsplit("/", 1)[-1][0] for o in reported] == list("aaamzzz")  # input order


def test_one_files_failure_in_the_store_is_its_reason_not_the_end_of_the_import(
    tmp_path: Path,
) -> None:
    """A file whose original copy cannot be written (its folder's name is taken by a file)
    is skipped with why; the import goes on."""
    import hashlib

    home = tmp_path / "home"
    folder = tmp_path / "in"
    files = runs(folder, 3)
    blocked = hashlib.sha256(files[1].read_bytes()).hexdigest()[:2]
    if any(hashlib.sha256(f.read_bytes()).hexdigest()[:2] == blocked for f in (files[0], files[2])):
        pytest.skip("the three files share a hash prefix")  # 1 in ~128: the test needs them apart
    (home / "originals").mkdir(parents=True)
    (home / "originals" / blocked).write_text("in the way")
    report = _importer(home, workers=1).run([folder])
    assert [o.name.rsplit("/", 1)[-1] for o in report.skipped] == [files[1].name]
    assert report.skipped[0].reason.startswith("could not be imported (FileExistsError")
    assert report.imported_activities == 2


def test_a_locked_database_stops_the_import_with_one_clear_message(cli, home_dir, tmp_path):  # type: ignore[no-untyped-def]
    """A failure of the store is not every file's fault: one message, exit status 4."""
    import sqlite3

    cli("import", str(DATA / "gpx" / "Mojstrovka.gpx"))  # creates the database
    folder = tmp_path / "in"
    runs(folder, 3)
    lock = sqlite3.connect(home_dir / "hipcoach.db", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        out = cli("import", str(folder))
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert out.exit_code == 4
    assert "the import stopped" in out.output and "database is locked" in out.output
    assert "Traceback" not in out.output
    again = cli("import", str(folder))  # and the same import afterwards carries on
    assert again.exit_code == 0
    assert "Skipped" not in again.stdout


def test_the_budget_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIPCOACH_IMPORT_FILE_SECONDS", raising=False)
    assert budget_from_env() == FILE_SECONDS
    monkeypatch.setenv("HIPCOACH_IMPORT_FILE_SECONDS", "2.5")
    assert budget_from_env() == 2.5
    for bad in ("0", "-3", "soon", "1e9"):
        monkeypatch.setenv("HIPCOACH_IMPORT_FILE_SECONDS", bad)
        with pytest.raises(InputError, match="HIPCOACH_IMPORT_FILE_SECONDS must be a number"):
            budget_from_env()


# --- the web server's import jobs ---------------------------------------------------------


def _descendants() -> dict[int, tuple[int, str]]:
    """Live descendants of this process: pid → (parent pid, command line)."""
    procs: dict[int, tuple[int, str]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmd = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if fields[0] != "Z":
            procs[int(stat.parent.name)] = (int(fields[1]), cmd)
    mine, todo = {}, [os.getpid()]
    while todo:
        parent = todo.pop()
        for pid, (ppid, cmd) in procs.items():
            if ppid == parent and pid not in mine:
                mine[pid] = (ppid, cmd)
                todo.append(pid)
    return mine


def _import_processes() -> set[int]:
    """The web import's process and its readers: everything below the fork server (which,
    like multiprocessing's resource tracker, is a child of this process and stays)."""
    return {pid for pid, (ppid, _) in _descendants().items() if ppid != os.getpid()}


def _finished(jobs: Jobs, job: Job, seconds: float = 120) -> Job:
    deadline = time.monotonic() + seconds
    current = jobs.get(job.id)
    while current is not None and current.state == "running":
        assert time.monotonic() < deadline, "the import job did not end"
        time.sleep(0.05)
        current = jobs.get(job.id)
    assert current is not None
    return current


def _gone(pids: Callable[[], set[int]], seconds: float = 5) -> set[int]:
    deadline = time.monotonic() + seconds
    while pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids()


def test_a_web_import_job_skips_a_file_over_budget_and_imports_the_rest(
    tmp_path: Path, slow: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIPCOACH_IMPORT_FILE_SECONDS", "2")
    jobs = Jobs()
    folder = _folder(tmp_path, slow)
    job = jobs.start([folder], ["in"], folder=tmp_path / "home", estimate=estimate_items)
    done = _finished(jobs, job)
    assert done.state == "done", done.error
    assert done.summary is not None
    assert [s.name.rsplit("/", 1)[-1] for s in done.summary.skipped] == ["m-very-long.gpx"]
    assert "took longer than 2 s to read" in done.summary.skipped[0].reason
    assert done.summary.imported_activities == 6
    assert done.files_done == done.files_total == 7
    assert _gone(_import_processes) == set()


def test_a_stalled_web_import_fails_with_the_reason_and_the_next_one_can_start(
    tmp_path: Path, slow: Path
) -> None:
    """Nothing heard from the import for ``stall_seconds`` (here: a reader busy for longer,
    with the file budget high): it is stopped, not left "running" for ever."""
    jobs = Jobs()
    folder = _folder(tmp_path, slow)
    home = tmp_path / "home"
    job = jobs.start([folder], ["in"], folder=home, workers=1, stall_seconds=4)
    failed = _finished(jobs, job)
    assert failed.state == "failed"
    assert failed.error is not None
    assert failed.error.startswith("the import stopped: nothing was read for 4 s (after ")
    assert "a-0002.gpx)" in failed.error and "may be damaged or hostile" in failed.error
    assert _gone(_import_processes) == set()  # the import and its reader were killed
    again = _finished(jobs, jobs.start([DATA / "gpx" / "korita-zbevnica.gpx"], ["K"], folder=home))
    assert again.state == "done", again.error
    assert Repository(open_engine(home)).count() == 3 + 2  # the three before it, and its two


def test_a_web_import_whose_process_dies_fails_its_job_and_frees_the_next(
    tmp_path: Path, slow: Path
) -> None:
    jobs = Jobs()
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(slow, folder / slow.name)
    home = tmp_path / "home"
    job = jobs.start([folder], ["in"], folder=home, workers=1)
    deadline = time.monotonic() + 60
    while True:  # the import's own process: forked by the fork server, with a reader below it
        found = _descendants()
        servers = {p for p, (pp, cmd) in found.items() if pp == os.getpid() and "forkserver" in cmd}
        parents = {ppid for ppid, _ in found.values()}
        importer = [p for p, (pp, _) in found.items() if pp in servers and p in parents]
        if importer:
            break
        assert time.monotonic() < deadline, "the import's process never started a reader"
        time.sleep(0.05)
    os.kill(importer[0], signal.SIGKILL)
    failed = _finished(jobs, job)
    assert failed.state == "failed"
    assert failed.error is not None
    assert failed.error.startswith(
        "the import stopped unexpectedly (its process was killed by SIGKILL"
    )
    assert _gone(_import_processes) == set()  # its reader died with it
    again = _finished(jobs, jobs.start([DATA / "gpx" / "korita-zbevnica.gpx"], ["K"], folder=home))
    assert again.state == "done", again.error


def test_every_file_is_counted_once_by_its_outcome(tmp_path: Path) -> None:
    """imported + duplicates + skipped + not activities = files, whatever happened to each:
    a new file, the same bytes again, the same run re-encoded under another name, a broken
    file."""
    folder = tmp_path / "in"
    folder.mkdir()
    run = (DATA / "gpx" / "activity_5039744860.gpx").read_bytes()
    (folder / "a.gpx").write_bytes(run)
    (folder / "b.gpx").write_bytes(run)  # the same file again
    (folder / "c.gpx").write_bytes(run.replace(b"<trk>", b"<trk><name>Renamed</name>", 1))
    (folder / "d.gpx").write_bytes(b"<gpx><trk><trkseg><trkpt")  # broken
    home = tmp_path / "home"
    home.mkdir()
    report = _importer(home, workers=1).run([folder])
    assert report.files == 4
    assert report.imported_files == 1
    assert report.duplicate_files == 2
    assert len(report.skipped) == 1
    assert (
        report.imported_files + report.duplicate_files + len(report.skipped)
        + report.not_activities
    ) == report.files  # fmt: skip
