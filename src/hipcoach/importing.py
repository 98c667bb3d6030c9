"""The import use case: paths in, activities stored, a report of what happened to each file.

Pipeline: the sources module turns paths (files, folders, .gz, Strava and Garmin export
zips) into items; items whose bytes were imported before (same SHA-256) are skipped at
once, so re-importing an export costs little more than reading it; the rest are parsed
in a process pool (both cores); the main process checks plausibility, finds the same
activity from another source or format, and stores each file with its activities in one
transaction together with a copy of the original bytes — an interrupted import leaves
no half file behind and a re-run finishes the job.
"""

from __future__ import annotations

import gzip
import hashlib
import multiprocessing
import os
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from hipcoach.importers.exports import ExportMetadata
from hipcoach.importers.plausibility import problem
from hipcoach.storage.repository import DuplicateIndex, Repository
from hipcoach.training.model import Activity

Parsed = Activity


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


def _parse(name: str, data: bytes, metadata: ExportMetadata | None) -> Job:
    """Worker: bytes → activities (or why not), plus the original gzipped for keeping.

    Never raises: one broken file must not stop an import. Per-second samples stay in
    the worker; the stored summary is what the analytics use.
    """
    from hipcoach.importers.sources import ImportFailure, Item, read_item

    try:
        acts = read_item(Item(name=name, data=data, metadata=metadata))
    except ImportFailure as exc:
        return [], str(exc), b""
    except Exception as exc:
        return [], f"could not be read ({type(exc).__name__}: {exc})", b""
    packed = gzip.compress(data, compresslevel=1) if acts else b""
    return [replace(a, samples=None) for a in acts], None, packed


def _extension(fmt: str) -> str:
    """Originals are kept gzipped under their real format (the bytes were sniffed)."""
    return f".{fmt}.gz" if fmt in ("fit", "gpx", "tcx") else ".bin.gz"


class Importer:
    def __init__(self, repo: Repository, folder: Path, workers: int | None = None) -> None:
        self.repo = repo
        self.folder = folder
        self.workers = workers or os.cpu_count() or 1
        self._known: set[str] = set()

    def _store_original(self, sha: str, fmt: str, packed: bytes) -> str:
        rel = Path("originals") / sha[:2] / f"{sha}{_extension(fmt)}"
        path = self.folder / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".part")
            tmp.write_bytes(packed)
            os.replace(tmp, path)
        return rel.as_posix()

    def run(self, paths: Iterable[Path], progress: ProgressFn | None = None) -> ImportReport:
        from hipcoach.importers.sources import iter_items

        t0 = time.perf_counter()
        report = ImportReport()
        known = self._known = self.repo.known_hashes()
        dups = self.repo.duplicate_index()

        def done(o: Outcome) -> None:
            report.files += 1
            if o.status == "skipped":
                report.skipped.append(o)
            if progress:
                progress(o, report.imported_activities)

        def todo() -> Iterator[tuple[str, bytes, ExportMetadata | None, str]]:
            for item in iter_items(list(paths)):
                if item.not_activity:
                    report.not_activities += 1
                    done(Outcome(item.name, "ignored", item.error or "not an activity"))
                    continue
                if item.error is None and item.data is None and item.metadata is not None:
                    self._manual(item.name, item.metadata, dups, report, done)
                    continue
                if item.error is not None or item.data is None:
                    done(Outcome(item.name, "skipped", item.error or "no file for this entry"))
                    continue
                sha = hashlib.sha256(item.data).hexdigest()
                if sha in known:
                    report.duplicate_files += 1
                    done(Outcome(item.name, "duplicate", "already imported (same file)"))
                    continue
                known.add(sha)
                yield item.name, item.data, item.metadata, sha

        # Forking a process that runs other threads (the web server) can copy a held lock
        # into the child and deadlock it; outside the main thread, start clean workers.
        context = None
        if threading.current_thread() is not threading.main_thread():
            context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context) as pool:
            pending: list[tuple[str, str, Future[Job]]] = []
            window = self.workers * 8  # bounded: never hold a whole export in memory
            for name, data, meta, sha in todo():
                pending.append((name, sha, pool.submit(_parse, name, data, meta)))
                if len(pending) >= window:
                    self._finish(pending.pop(0), dups, report, done)
            while pending:
                self._finish(pending.pop(0), dups, report, done)
        report.seconds = time.perf_counter() - t0
        return report

    def _manual(
        self,
        name: str,
        meta: ExportMetadata,
        dups: DuplicateIndex,
        report: ImportReport,
        done: Callable[[Outcome], None],
    ) -> None:
        """A manual entry in an export (no file): stored from the export's own numbers."""
        from hipcoach.importers.exports import manual_activity

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
        self._known.add(sha)
        self.repo.add_file(
            sha256=sha, name=name, fmt="manual", size=0, stored_path=None, activities=[act]
        )
        dups.add(act)
        report.imported_activities += 1
        done(Outcome(name, "imported", "manual entry (no file)", 1))

    def _finish(
        self,
        job: tuple[str, str, Future[Job]],
        dups: DuplicateIndex,
        report: ImportReport,
        done: Callable[[Outcome], None],
    ) -> None:
        name, sha, fut = job
        parsed, error, packed = fut.result()
        if error is not None:
            done(Outcome(name, "skipped", error))
            return
        keep: list[Parsed] = []
        reasons: list[str] = []
        for act in parsed:
            why = problem(act)
            if why:
                reasons.append(why)
            elif dups.find(act):
                report.duplicate_activities += 1
            else:
                keep.append(act)
        if not keep:
            if reasons:
                done(Outcome(name, "skipped", "; ".join(reasons)))
            else:
                done(Outcome(name, "duplicate", "same activity already imported from another file"))
            return
        fmt = keep[0].source_format
        stored = self._store_original(sha, fmt, packed)
        try:
            self.repo.add_file(
                sha256=sha,
                name=name,
                fmt=fmt,
                size=len(packed),
                stored_path=stored,
                activities=keep,
            )
        except Exception:
            (self.folder / stored).unlink(missing_ok=True)
            raise
        for act in keep:
            dups.add(act)
        report.imported_files += 1
        report.imported_activities += len(keep)
        done(Outcome(name, "imported", "; ".join(reasons), len(keep)))


ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".gz", ".zip")


def estimate_items(paths: list[Path]) -> int:
    """Roughly how many files an import will look at, for the progress bar's total.

    Cheap (zip directories only, no decompression); nested archives count once, so the
    bar's total grows if the estimate was low.
    """
    n = 0
    for p in paths:
        if p.is_dir():
            n += sum(1 for f in p.rglob("*") if f.is_file())
        elif zipfile.is_zipfile(p):
            try:
                with zipfile.ZipFile(p) as z:
                    n += sum(
                        1
                        for i in z.infolist()
                        if not i.is_dir() and i.filename.lower().endswith(ACTIVITY_SUFFIXES)
                    )
            except (zipfile.BadZipFile, OSError):
                n += 1
        else:
            n += 1
    return max(n, 1)
