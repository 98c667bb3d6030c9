"""Opening the database: where it lives, SQLite pragmas, and migrations on open.

The default is an SQLite file in the user's data folder (platformdirs), overridable by
``--data-dir`` / ``HIPCOACH_DATA_DIR``; ``HIPCOACH_DATABASE_URL`` points at another
database (e.g. PostgreSQL) instead. Every open brings the schema up to date with
Alembic, so a new version of hipcoach never meets an old schema.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import Connection

from hipcoach.errors import HipcoachError

APP_NAME = "hipcoach"
SCHEMA_REVISION = "0003"
"""The newest migration. Checked with one query on open; Alembic runs only when behind.
(A test keeps this equal to Alembic's head.)"""


class StorageError(HipcoachError):
    exit_code = 4


def data_dir(explicit: Path | None = None) -> Path:
    """The folder that holds the database and the original files; created on first use."""
    if explicit is None and os.environ.get("HIPCOACH_DATA_DIR"):
        explicit = Path(os.environ["HIPCOACH_DATA_DIR"])
    if explicit is None:
        from platformdirs import user_data_path

        explicit = user_data_path(APP_NAME, appauthor=False)
    path = explicit.expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"cannot create the data folder {path} ({exc.strerror}); choose another with "
            "--data-dir or HIPCOACH_DATA_DIR"
        ) from None
    return path


def database_url(folder: Path) -> str:
    return os.environ.get("HIPCOACH_DATABASE_URL") or f"sqlite:///{folder / 'hipcoach.db'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the importer
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses no committed data
    cur.close()


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("hipcoach.storage") / "migrations"))
    return cfg


def upgrade(connection: Connection) -> None:
    """Run Alembic migrations up to the latest revision on ``connection``."""
    from alembic import command

    cfg = _alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


def alembic_head() -> str | None:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    return str(head) if head else None


def _behind(conn: Connection) -> bool:
    current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return current != SCHEMA_REVISION


# One engine per database for the life of the process: an engine owns the connection pool
# and SQLAlchemy's compiled-statement cache, so the web server does not rebuild both on
# every request. Keyed by URL plus, for SQLite, the file's identity: a database file that
# was deleted or replaced gets a new engine.
_ENGINES: dict[str, tuple[Engine, int | None]] = {}


def _file_id(url: str) -> int | None:
    if not url.startswith("sqlite:///"):
        return None
    try:
        return os.stat(url.removeprefix("sqlite:///")).st_ino
    except OSError:
        return None


def _forget_engines_after_fork() -> None:
    # A forked child must not use (or close) the parent's pooled connections.
    for engine, _ in _ENGINES.values():
        engine.dispose(close=False)
    _ENGINES.clear()


os.register_at_fork(after_in_child=_forget_engines_after_fork)


def open_engine(folder: Path | None = None, url: str | None = None) -> Engine:
    """An engine on an up-to-date schema (one query when it already is)."""
    folder = data_dir(folder)
    url = url or database_url(folder)
    file_id = _file_id(url)
    cached = _ENGINES.get(url)
    if url.startswith("sqlite"):
        reuse = cached is not None and file_id is not None and cached[1] == file_id
    else:
        reuse = cached is not None
    if reuse and cached is not None:
        engine = cached[0]
    else:
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
    with engine.begin() as conn:
        fresh = not reuse and "alembic_version" not in inspect(conn).get_table_names()
        if fresh or _behind(conn):
            upgrade(conn)
    _ENGINES[url] = (engine, file_id if file_id is not None else _file_id(url))
    return engine
