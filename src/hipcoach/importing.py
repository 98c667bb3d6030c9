"""The import use case: paths in, activities stored, a report of what happened to each file.

Pipeline: the sources module turns paths (files, folders, .gz, Strava and Garmin export
zips) into items; items whose bytes were imported before (same SHA-256) are skipped at
once, so re-importing an export costs little more than reading it; the rest are parsed
in worker processes (both cores); the main process checks plausibility, finds the same
activity from another source or format, and stores each file with its activities in one
transaction together with a copy of the original bytes — an interrupted import leaves
no half file behind and a re-run finishes the job.

Files come from anywhere, so reading one is treated as something that may never end or
may take its process down: each worker reads one file at a time under a time budget
(``HIPCOACH_IMPORT_FILE_SECONDS``); a worker over budget is killed and replaced, a worker
that dies (out of memory, a crash in a decoder) is replaced, and either way only that
file is skipped, with the reason. Workers die with the process that started them, so a
killed import leaves no reader spinning. Whatever goes wrong with one file becomes that
file's reason; only a failure of the store itself (a full disk, a locked database) stops
the import, with one message.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import gzip
import hashlib
import multiprocessing
import os
import pickle
import selectors
import signal
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hipcoach.errors import HipcoachError, InputError
from hipcoach.importers.exports import ExportMetadata
from hipcoach.importers.plausibility import problem
from hipcoach.storage.db import StorageError
from hipcoach.storage.repository import DuplicateIndex, Repository
from hipcoach.training.model import Activity

if TYPE_CHECKING:
    from hipcoach.importers.items import Item

Parsed = Activity

FILE_SECONDS_ENV = "HIPCOACH_IMPORT_FILE_SECONDS"
FILE_SECONDS = 30.0
"""Default time budget for reading one file. The largest real files (a day-long ride, a
multisport FIT of many hours) read in well under a second on a slow laptop; thirty
seconds leaves room for a busy machine and still unfreezes an import within a minute."""
START_SECONDS = 60.0  # a worker that has not started by then will not
REASON_CHARS = 300  # a reason quotes an exception; never the whole of a hostile input


@dataclass
class Outcome:
    name: str
    status: str  # imported | duplicate | skipped | ignored (not an activity, e.g. a course)
    reason: str = ""
    activities: int = 0


@dataclass
class ImportReport:
    files: int = 0
    imported_files: int = 0
    imported_activities: int = 0
    duplicate_files: int = 0
    duplicate_activities: int = 0
    not_activities: int = 0
    skipped: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def nothing_new(self) -> bool:
        return self.imported_activities == 0 and not self.skipped


ProgressFn = Callable[[Outcome, int], None]  # (outcome of one file, activities so far)


Job = tuple[list[Parsed], str | None, bytes]


def budget_from_env() -> float:
    """The per-file time budget: ``HIPCOACH_IMPORT_FILE_SECONDS`` or the default."""
    raw = os.environ.get(FILE_SECONDS_ENV, "").strip()
    if not raw:
        return FILE_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 24 * 3600:
        raise InputError(
            f"{FILE_SECONDS_ENV} must be a number of seconds between 0 and 86400 "
            f"(it is {raw[:20]!r}); unset it for the default of {FILE_SECONDS:g} s"
        )
    return value


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


def _parse(name: str, data: bytes, metadata: ExportMetadata | None) -> Job:
    """Worker: bytes → activities (or why not), plus the original gzipped for keeping.

    Never raises: one broken file must not stop an import. Per-second samples stay in
    the worker; the stored summary is what the analytics use.
    """
    from hipcoach.importers.sources import ImportFailure, Item, read_item

    try:
        acts = read_item(Item(name=name, data=data, metadata=metadata))
        packed = gzip.compress(data, compresslevel=1) if acts else b""
        return [replace(a, samples=None) for a in acts], None, packed
    except ImportFailure as exc:
        return [], str(exc)[: REASON_CHARS * 2], b""
    except Exception as exc:
        return [], f"could not be read ({_short(exc)})", b""


# --------------------------------------------------------------------------- workers

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_READY = "ready"


def die_with_parent(coordinator: int, forked: bool) -> None:
    """Make this process die when the one that started it does, even mid-file.

    ``coordinator`` is the process that asked for this one; ``forked`` says it is also
    the parent (the fork start method), rather than a fork server.

    On Linux the kernel does it (``PR_SET_PDEATHSIG``): a worker stuck in C code — a
    backtracking regex, an endless decompression — runs no Python and could not notice.
    Elsewhere, and as a second line, a thread watches for the parent changing (a worker
    is re-parented when its parent dies) or the importing process being gone. With the
    forkserver start method the parent is the fork server, which exits when the process
    that uses it dies, so the kernel's signal chains through it.
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if forked and os.getppid() != coordinator:  # it died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent and (forked or _alive(coordinator)):
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


_WARM_UP_GPX = (
    b'<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk>'
    b'<trkseg><trkpt lat="52.52" lon="13.37"><time>2020-06-01T14:52:40Z</time></trkpt>'
    b'<trkpt lat="52.53" lon="13.38"><time>2020-06-01T15:02:40Z</time></trkpt></trkseg></trk></gpx>'
)


def _warm_up() -> None:
    """Import the readers and read a tiny track before saying "ready": the time budget is
    for reading a file, not for a fresh process loading its modules (seconds on a busy
    machine, which would be charged to the first file of every replaced worker)."""
    import importlib

    with contextlib.suppress(ImportError):
        importlib.import_module("hipcoach.importers.fit")
    _parse("warm-up.gpx", _WARM_UP_GPX, None)


def _serve(tasks: Connection, results: Connection, coordinator: int, forked: bool) -> None:
    """A worker's life: read one file at a time until told to stop or orphaned."""
    die_with_parent(coordinator, forked)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the importer's to handle
    _warm_up()
    results.send(_READY)
    fd = tasks.fileno()
    while True:
        try:
            (size,) = _FRAME.unpack(_read_exactly(fd, _FRAME.size))
            task = pickle.loads(_read_exactly(fd, size))  # noqa: S301 (from the importer)
        except (EOFError, OSError):
            return
        if task is None:
            return
        results.send(_parse(*task))


_FRAME = struct.Struct("!Q")  # a task on the wire: its pickled size, then the pickle


def _read_exactly(fd: int, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _frame(task: object, out: bytearray) -> None:
    """Append ``task`` to ``out`` as a frame (a file's bytes are copied once, not twice)."""
    body = pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)
    out += _FRAME.pack(len(body))
    out += body


@dataclass
class _Task:
    name: str
    sha: str
    data: bytes | None  # kept until read: a worker that dies hands its queued files back
    meta: ExportMetadata | None
    result: Job | None = None


@dataclass
class _Worker:
    proc: BaseProcess
    tasks_fd: int  # the writing end of its task pipe, non-blocking
    results: Connection
    started: float
    ready: bool = False
    tasks: deque[_Task] = field(default_factory=deque)  # sent, in the order it reads them
    since: float = 0.0  # when it began reading the first of ``tasks``
    outgoing: bytearray = field(default_factory=bytearray)  # framed tasks being written
    sent: int = 0  # how much of ``outgoing`` is written


class WorkerPool:
    """Processes that read one file each at a time, each file under a time budget.

    Unlike ``ProcessPoolExecutor``, one stuck or dead worker costs one file: it is killed
    (or buried) and replaced while the others carry on; the file queued behind it goes
    to another worker. Results come back in the order the files went in, so which copy
    of a duplicate is kept does not depend on timing. Each worker has the next file
    queued while it reads one, so it does not wait for the importing process to store.

    Files go to a worker through a pipe written without blocking, from the importing
    thread's own wait loop: a worker stuck in C code takes nothing from its pipe, and a
    blocking write would stop the importer, and with it the budgets that are to free
    that very worker.
    """

    DEPTH = 2  # files sent to a worker at a time: the one it reads, and the next

    def __init__(self, size: int, seconds: float, context: Any) -> None:
        self.size = max(size, 1)
        self.seconds = seconds
        self.context = context
        self.workers: list[_Worker] = []
        self.failed_starts = 0

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, tasks: Iterator[_Task], finish: Callable[[_Task], None]) -> None:
        """Read every task's file; ``finish`` gets each task, result set, in input order."""
        queue: deque[_Task] = deque()  # in input order; finished from the head
        waiting: deque[_Task] = deque()  # not given to a worker yet
        window = self.size * 8  # bounded: never hold a whole export in memory
        more = True
        while True:
            while queue and queue[0].result is not None:
                finish(queue.popleft())
            while more and len(queue) < window:
                task = next(tasks, None)
                if task is None:
                    more = False
                    break
                queue.append(task)
                waiting.append(task)
                self._dispatch(waiting)
            if not queue:
                return
            if queue[0].result is None:
                self._dispatch(waiting)
                self._collect(waiting)

    def _dispatch(self, waiting: deque[_Task]) -> None:
        free = sum(self.DEPTH - len(w.tasks) for w in self.workers)
        while len(waiting) > free and len(self.workers) < self.size:
            self._hire()
            free += self.DEPTH
        for depth in range(1, self.DEPTH + 1):  # a file to every idle worker first
            for w in self.workers:
                if not waiting:
                    return
                if w.ready and len(w.tasks) < depth:
                    task = waiting.popleft()
                    if not w.tasks:
                        w.since = time.monotonic()
                    w.tasks.append(task)
                    _frame((task.name, task.data, task.meta), w.outgoing)
                    self._pump(w)

    def _hire(self) -> None:
        task_r, task_w = os.pipe()
        with contextlib.suppress(ImportError, OSError, AttributeError):
            import fcntl  # a bigger pipe (Linux): most files go in one write, one wake-up

            fcntl.fcntl(task_w, fcntl.F_SETPIPE_SZ, 1 << 20)
        os.set_blocking(task_w, False)
        theirs = Connection(task_r)  # passes the descriptor to a forkserver child too
        results, their_results = self.context.Pipe(duplex=False)
        forked = self.context.get_start_method() == "fork"
        proc = self.context.Process(
            target=_serve,
            args=(theirs, their_results, os.getpid(), forked),
            name="hipcoach-reader",
        )
        proc.daemon = True
        try:
            proc.start()
        finally:
            theirs.close()
            their_results.close()  # so a dead worker reads as end-of-file here
        self.workers.append(_Worker(proc, task_w, results, time.monotonic()))

    @staticmethod
    def _pump(w: _Worker) -> None:
        """Write as much of a worker's queued tasks as its pipe takes now."""
        while w.sent < len(w.outgoing):
            try:
                with memoryview(w.outgoing) as whole, whole[w.sent :] as rest:
                    w.sent += os.write(w.tasks_fd, rest)
            except BlockingIOError:
                return
            except OSError:  # it died: its death is seen on its sentinel
                break
        w.outgoing.clear()
        w.sent = 0

    def _collect(self, waiting: deque[_Task]) -> None:
        """Wait for a result, a death or a budget to run out, and deal with it."""
        now = time.monotonic()
        deadlines = [
            (w.since + self.seconds) if w.ready else (w.started + START_SECONDS)
            for w in self.workers
            if w.tasks or not w.ready
        ]
        timeout = max(0.0, min(deadlines) - now) if deadlines else None
        with selectors.DefaultSelector() as sel:
            for w in self.workers:
                sel.register(w.results.fileno(), selectors.EVENT_READ, (w, "result"))
                sel.register(w.proc.sentinel, selectors.EVENT_READ, (w, "died"))
                if w.outgoing:
                    sel.register(w.tasks_fd, selectors.EVENT_WRITE, (w, "send"))
            events = [key.data for key, _ in sel.select(timeout)]
        for w, what in events:
            if what == "send":
                self._pump(w)
        for w, what in events:  # a result sent just before dying is still a result
            if what == "result" and w in self.workers:
                try:
                    message = w.results.recv()
                except (EOFError, OSError):
                    self._bury(w, waiting)
                    continue
                if message == _READY:
                    w.ready = True
                    self.failed_starts = 0
                elif w.tasks:
                    done = w.tasks.popleft()
                    done.result, done.data = message, None
                    w.since = time.monotonic()  # it goes straight on to the next
        for w, what in events:
            if what == "died" and w in self.workers and not w.results.poll():
                self._bury(w, waiting)
        now = time.monotonic()
        for w in list(self.workers):
            if w.tasks and now - w.since >= self.seconds:
                self._bury(w, waiting, kill=True, reason=self._overtime_reason())
            elif not w.ready and now - w.started >= START_SECONDS:
                self._bury(w, waiting, kill=True)
        self._dispatch(waiting)  # before the results are stored: workers need not wait for it

    def _overtime_reason(self) -> str:
        return (
            f"took longer than {self.seconds:g} s to read; skipped — it may be damaged or "
            f"hostile (if it is a genuine, very long recording, import it alone with a larger "
            f"{FILE_SECONDS_ENV})"
        )

    def _bury(
        self, w: _Worker, waiting: deque[_Task], kill: bool = False, reason: str | None = None
    ) -> None:
        """Remove a dead (or to be killed) worker: the file it was reading is skipped, with
        why; the file queued behind it goes back to wait for another worker."""
        if kill:
            w.proc.kill()
        w.proc.join(5)
        self._hang_up(w)
        self.workers.remove(w)
        if w.tasks:
            lost = w.tasks.popleft()
            lost.result = ([], reason or _death_reason(w.proc.exitcode), b"")
            lost.data = None
            waiting.extendleft(reversed(w.tasks))
        if not w.ready:
            self.failed_starts += 1
            if self.failed_starts >= 3:
                raise HipcoachError(
                    "could not start the processes that read activity files (they stopped "
                    f"at once, exit code {w.proc.exitcode}); check free memory and try again"
                )

    def close(self) -> None:
        """Stop every worker: politely when idle, by force when busy or not started yet."""
        idle = [w for w in self.workers if w.ready and not w.tasks]
        for w in idle:
            _frame(None, w.outgoing)
            self._pump(w)
        deadline = time.monotonic() + 2.0
        for w in self.workers:
            if w in idle:
                w.proc.join(max(0.0, deadline - time.monotonic()))
            if w.proc.exitcode is None:
                w.proc.kill()
                w.proc.join(5)
            self._hang_up(w)
        self.workers.clear()

    @staticmethod
    def _hang_up(w: _Worker) -> None:
        w.outgoing.clear()
        w.sent = 0
        with contextlib.suppress(OSError):
            os.close(w.tasks_fd)
        w.results.close()


def _death_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            how = f"killed by {signal.Signals(-code).name}"
        except ValueError:
            how = f"killed by signal {-code}"
    else:
        how = f"exit code {code}"
    return (
        f"the process reading it stopped unexpectedly ({how}; out of memory, or a crash "
        "in a decoder); skipped — it may be damaged or hostile"
    )


def _context() -> Any:  # a multiprocessing context (their types share no Process)
    # Forking a process that runs other threads (the web server) can copy a held lock
    # into the child and deadlock it; outside the main thread, start clean workers.
    if threading.current_thread() is not threading.main_thread():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context()


# --------------------------------------------------------------------------- the import


def _extension(fmt: str) -> str:
    """Originals are kept gzipped under their real format (the bytes were sniffed)."""
    return f".{fmt}.gz" if fmt in ("fit", "gpx", "tcx") else ".bin.gz"


# What a failing store says when the failure is the store's, not one file's: stop.
_STORE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


def _store_failure(exc: BaseException, folder: Path) -> StorageError | None:
    """A StorageError when ``exc`` means nothing more can be stored, else None."""
    from sqlalchemy.exc import OperationalError

    if isinstance(exc, OperationalError):
        detail = str(exc.orig) if exc.orig is not None else str(exc)
    elif isinstance(exc, OSError) and exc.errno in _STORE_ERRNOS:
        detail = exc.strerror or str(exc)
    else:
        return None
    return StorageError(
        f"the import stopped: the store in {folder} cannot be written ({detail[:200]}). "
        "Every file stored so far is complete. Free some disk space or close the other "
        "program using it, then run the same import again: it carries on where it stopped"
    )


def remove_stale_parts(folder: Path) -> int:
    """Delete half-written original copies left by an import that was killed.

    A copy is written to ``<name>.<pid>.part`` and renamed into place, so a ``.part``
    file whose writer is gone (or whose name carries no writer) can never become whole.
    A live writer's file is left alone: the web server and the command line may import
    into the same folder at once.
    """
    removed = 0
    root = folder / "originals"
    if not root.is_dir():
        return 0
    for part in root.rglob("*.part"):
        pid_text = part.name.removesuffix(".part").rsplit(".", 1)[-1]
        pid = int(pid_text) if pid_text.isdigit() else None
        if pid is not None and pid != os.getpid() and _alive(pid):
            try:
                if time.time() - part.stat().st_mtime < 3600:
                    continue
            except OSError:
                continue
        try:
            part.unlink()
            removed += 1
        except FileNotFoundError:
            pass
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


class Importer:
    def __init__(
        self,
        repo: Repository,
        folder: Path,
        workers: int | None = None,
        file_seconds: float | None = None,
    ) -> None:
        self.repo = repo
        self.folder = folder
        self.workers = workers or os.cpu_count() or 1
        self.file_seconds = budget_from_env() if file_seconds is None else file_seconds
        self._known: set[str] = set()

    def _store_original(self, sha: str, fmt: str, packed: bytes) -> str:
        rel = Path("originals") / sha[:2] / f"{sha}{_extension(fmt)}"
        path = self.folder / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.part")
            try:
                tmp.write_bytes(packed)
                os.replace(tmp, path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        return rel.as_posix()

    def run(self, paths: Iterable[Path], progress: ProgressFn | None = None) -> ImportReport:
        from hipcoach.importers.sources import iter_items

        t0 = time.perf_counter()
        report = ImportReport()
        remove_stale_parts(self.folder)
        known = self._known = self.repo.known_hashes()
        dups = self.repo.duplicate_index()

        def done(o: Outcome) -> None:
            # Each file is counted once, by its outcome, so the summary's rows always add
            # up to the files looked at (a manual entry and a file whose activities came in
            # from another file included).
            report.files += 1
            if o.status == "skipped":
                report.skipped.append(o)
            elif o.status == "imported":
                report.imported_files += 1
            elif o.status == "duplicate":
                report.duplicate_files += 1
            else:
                report.not_activities += 1
            if progress:
                progress(o, report.imported_activities)

        def todo() -> Iterator[_Task]:
            for path in paths:
                items = iter_items([path])
                while True:
                    try:
                        item = next(items, None)
                    except Exception as exc:  # the walk promises not to; if it does, one path
                        done(Outcome(str(path), "skipped", f"reading stopped ({_short(exc)})"))
                        break
                    if item is None:
                        break
                    task = self._triage(item, known, dups, report, done)
                    if task is not None:
                        yield task

        with WorkerPool(self.workers, self.file_seconds, _context()) as pool:
            pool.run(todo(), lambda task: self._finish(task, dups, report, done))
        report.seconds = time.perf_counter() - t0
        return report

    def _triage(
        self,
        item: Item,
        known: set[str],
        dups: DuplicateIndex,
        report: ImportReport,
        done: Callable[[Outcome], None],
    ) -> _Task | None:
        """What to do with one walked item: report it at once, or a task for a worker."""
        if item.not_activity:
            done(Outcome(item.name, "ignored", item.error or "not an activity"))
            return None
        if item.error is None and item.data is None and item.metadata is not None:
            self._guarded(item.name, done, lambda: self._manual(item, dups, report, done))
            return None
        if item.error is not None or item.data is None:
            done(Outcome(item.name, "skipped", item.error or "no file for this entry"))
            return None
        sha = hashlib.sha256(item.data).hexdigest()
        if sha in known:
            done(Outcome(item.name, "duplicate", "already imported (same file)"))
            return None
        known.add(sha)
        return _Task(item.name, sha, item.data, item.metadata)

    def _guarded(
        self, name: str, done: Callable[[Outcome], None], step: Callable[[], None]
    ) -> None:
        """Run one file's step; its failure is its reason, unless the store itself failed."""
        try:
            step()
        except StorageError:
            raise
        except Exception as exc:
            stop = _store_failure(exc, self.folder)
            if stop is not None:
                raise stop from None
            done(Outcome(name, "skipped", f"could not be imported ({_short(exc)})"))

    def _manual(
        self,
        item: Item,
        dups: DuplicateIndex,
        report: ImportReport,
        done: Callable[[Outcome], None],
    ) -> None:
        """A manual entry in an export (no file): stored from the export's own numbers."""
        from hipcoach.importers.exports import manual_activity

        name, meta = item.name, item.metadata
        assert meta is not None  # what makes it a manual entry
        act = manual_activity(meta)
        if act is None:
            done(Outcome(name, "skipped", "a manual entry without a date or duration"))
            return
        why = problem(act)
        if why:
            done(Outcome(name, "skipped", why))
            return
        key = f"manual:{meta.source}:{act.start_utc.isoformat()}:{act.elapsed_s}:{act.distance_m}"
        sha = hashlib.sha256(key.encode()).hexdigest()
        if sha in self._known or dups.find(act):
            report.duplicate_activities += 1
            done(Outcome(name, "duplicate", "already imported"))
            return
        self.repo.add_file(
            sha256=sha, name=name, fmt="manual", size=0, stored_path=None, activities=[act]
        )
        self._known.add(sha)
        dups.add(act)
        report.imported_activities += 1
        done(Outcome(name, "imported", "manual entry (no file)", 1))

    def _finish(
        self,
        task: _Task,
        dups: DuplicateIndex,
        report: ImportReport,
        done: Callable[[Outcome], None],
    ) -> None:
        assert task.result is not None
        parsed, error, packed = task.result
        if error is not None:
            done(Outcome(task.name, "skipped", error))
            return
        self._guarded(task.name, done, lambda: self._keep(task, parsed, packed, dups, report, done))

    def _keep(
        self,
        task: _Task,
        parsed: list[Parsed],
        packed: bytes,
        dups: DuplicateIndex,
        report: ImportReport,
        done: Callable[[Outcome], None],
    ) -> None:
        """Check a read file's activities and store the new ones with the original."""
        keep: list[Parsed] = []
        reasons: list[str] = []
        duplicates = 0
        for act in parsed:
            why = problem(act)
            if why:
                reasons.append(why)
            elif dups.find(act):
                duplicates += 1
            else:
                keep.append(act)
        report.duplicate_activities += duplicates
        if not keep:
            if reasons:
                done(Outcome(task.name, "skipped", "; ".join(reasons)))
            else:
                done(
                    Outcome(
                        task.name, "duplicate", "same activity already imported from another file"
                    )
                )
            return
        fmt = keep[0].source_format
        stored = self._store_original(task.sha, fmt, packed)
        try:
            self.repo.add_file(
                sha256=task.sha,
                name=task.name,
                fmt=fmt,
                size=len(packed),
                stored_path=stored,
                activities=keep,
            )
        except Exception:
            report.duplicate_activities -= duplicates
            (self.folder / stored).unlink(missing_ok=True)
            raise
        for act in keep:
            dups.add(act)
        report.imported_activities += len(keep)
        done(Outcome(task.name, "imported", "; ".join(reasons), len(keep)))


