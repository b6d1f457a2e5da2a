"""What a storage file is, checked before either library writes to it.

Optuna and MLflow both create their tables in any SQLite file they are given: pointing ``STORAGE`` at
the MLflow database (or ``MLFLOW_TRACKING_URI`` at the Optuna one) made each write its tables inside the
other's file before failing. A path through a file (``/etc/hostname/x.db``) or into ``/proc`` failed
with a ``FileExistsError`` traceback. Both are refused here in one line, before anything is written.
"""

from __future__ import annotations

import shlex
import sqlite3
from pathlib import Path

from objectives.quoting import PATH_LIMIT, capped

SQLITE_HEADER = b"SQLite format 3\x00"
OWNERS = {  # tables only one library makes
    "Optuna": {"studies", "trials", "version_info"},
    "MLflow": {"experiments", "runs", "registered_models"},
}


def _query(path: Path, sql: str) -> list:
    """Rows read without creating anything: a read-only connection, or, for a file a crash left with a hot
    journal (a process killed or out of space mid-write), a read-write one that rolls the journal back first,
    as any SQLite reader must before reading (read-only it fails: "attempt to write a readonly database")."""
    try:
        return _rows(path, sql, "ro")
    except sqlite3.OperationalError as why:
        if "readonly" not in str(why):
            raise
        return _rows(path, sql, "rw")


def _rows(path: Path, sql: str, mode: str) -> list:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _tables(path: Path) -> set[str]:
    """The table names of a SQLite file."""
    return {row[0] for row in _query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def damage(path: Path) -> str | None:
    """SQLite's own verdict on an existing database, None when sound. ``PRAGMA quick_check`` reads every page
    (a torn 4 KB write shows here before Optuna reads it and fails with a traceback deep in SQLAlchemy) but
    skips the index-content comparison of ``integrity_check``: linear in the file, milliseconds for a study."""
    try:
        rows = [row[0] for row in _query(path, "PRAGMA quick_check(3)")]
    except sqlite3.DatabaseError as why:  # too damaged to even run the check
        return f"the check itself failed: {why}"
    return None if rows == ["ok"] else "; ".join(rows)


def file_owner(path: Path) -> str | None:
    """Who made an existing file: "Optuna", "MLflow", "empty", "SQLite" (another program's) or "not SQLite"."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if not head:
        return "empty"
    if head != SQLITE_HEADER:
        return "not SQLite"
    tables = _tables(path)
    if not tables:
        return "empty"
    for owner, marks in OWNERS.items():
        if marks <= tables:
            return owner
    return "SQLite"


def os_reason(error: OSError) -> str:
    """``File exists: /etc/hostname``: the OS's words and the path they are about."""
    return capped(f"{error.strerror or error}{f': {error.filename}' if error.filename else ''}", 100)


def prepare_file(setting: str, url: str, path: Path, owner: str, error: type[Exception]) -> None:
    """Make ``path``'s folder and check an existing file belongs to ``owner`` ("Optuna" or "MLflow");
    otherwise raise ``error`` with one line saying what the path is and what to pass instead."""
    where = f"{setting} {capped(url, PATH_LIMIT)}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and not path.is_file():
            raise IsADirectoryError(f"{path} is not a regular file")
        found = file_owner(path) if path.exists() else None
    except OSError as why:
        raise error(f"{where}: a file in a writable folder must hold, but {capped(path, PATH_LIMIT)} cannot be used "
                    f"({os_reason(why)}); pass a path in a folder you can write") from None
    except sqlite3.DatabaseError as why:
        raise error(f"{where}: a readable SQLite file must hold, but {capped(path, PATH_LIMIT)} is not "
                    f"({capped(why, 60)}; "
                    f"SQLite integrity check: {capped(damage(path) or 'ok', 100)}); pass another file") from None
    verdict = damage(path) if found == owner else None
    if verdict:
        raise error(f"{where}: a sound {owner} database must hold, but {capped(path, PATH_LIMIT)} is damaged (SQLite "
                    f"integrity check: {capped(' '.join(verdict.split()), 160)}); restore it from a backup, or recover "
                    f"what is readable with: sqlite3 {shlex.quote(str(path))} .recover | sqlite3 "
                    f"{shlex.quote(f'{path}.recovered')}") from None
    if found not in (None, "empty", owner):
        what = {"not SQLite": "not a SQLite database", "SQLite": "another program's SQLite database"}.get(
            found, f"an {found} database")
        raise error(f"{where}: an {owner} database (or a new file) must hold, but {capped(path, PATH_LIMIT)} is "
                    f"{what}; pass another file, it is left untouched")
