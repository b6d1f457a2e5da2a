"""A storage that fails while a command runs, told in one line: which store, what happened, what to do.

SQLite and PostgreSQL faults reach the commands as SQLAlchemy or Optuna exceptions wrapping the driver's
own error (``StorageInternalError`` <- ``OperationalError`` <- ``sqlite3.OperationalError``); printed as
they were, a read-only folder gave 3 tracebacks and a full disk 4, ending in ``Should not reach``. The
driver's words at the bottom of the chain decide the advice; for a SQLite file, SQLite's integrity check
runs too and its verdict is part of the line (a full disk must not be mistaken for a damaged file).
"""

from __future__ import annotations

from pathlib import Path

from objectives.errors import StorageError
from objectives.quoting import PATH_LIMIT, capped
from search.study.files import damage
from search.study.storage import SQLITE_LOCK_SECONDS, masked, shown, sqlite_file

KEPT = "finished trials are kept and the next run re-queues an unfinished one"
ADVICE = (  # (words of SQLite or a PostgreSQL driver, what happened, what to do)
    (("readonly", "read-only", "unable to open database file"), "cannot be written (a read-only file or folder)",
     "make the file and its folder writable (SQLite writes a journal beside the file) and run the command again"),
    (("disk is full", "no space left", "file too large", "disk quota"),
     "ran out of space (disk full or a file-size limit)",
     "free space there and run the command again"),
    (("disk i/o error",), "could not be written (disk I/O error: a full disk, a file-size limit or a failing device)",
     "free space there or check the device, and run the command again"),
    (("database is locked",), f"stayed locked by another process past the {SQLITE_LOCK_SECONDS} s busy timeout",
     "wait for or stop the other process holding it (a sqlite3 shell, a backup) and run the command again"),
    (("malformed", "not a database"), "is damaged",
     "restore it from a backup (sqlite3 FILE .recover saves what is readable)"),
    (("server closed", "connection refused", "could not connect", "terminating connection", "connection to server",
      "server has gone away", "lost connection"), "went away (the database server closed the connection)",
     "run the command again once the server is back"),
)


def is_storage_fault(error: BaseException) -> bool:
    """An exception from the storage layer (checked by name: the command line must not import SQLAlchemy)."""
    chain = _chain(error)
    return any(type(e).__module__.split(".")[0] in ("sqlalchemy", "sqlite3", "psycopg2", "psycopg") or
               type(e).__name__ == "StorageInternalError" for e in chain)


def storage_fault(error: BaseException, url: str | None) -> StorageError:
    """The one-line error for ``error`` raised while using the storage at ``url``."""
    cause = _chain(error)[-1]
    words = " ".join(str(cause).split())
    happened, todo = next(((what, todo) for marks, what, todo in ADVICE if any(m in words.lower() for m in marks)),
                          (f"failed ({type(cause).__name__}: {capped(masked(words), 160)})", "check the store and run "
                                                                                             "the command again"))
    store = capped(shown(url), PATH_LIMIT) if url else "the Optuna storage"
    database = sqlite_file(url) if url else None
    verdict = f" (SQLite integrity check: {_verdict(database)})" if database is not None else ""
    return StorageError(f"storage {store} {happened}{verdict}; {todo}; {KEPT}")


def _chain(error: BaseException) -> list[BaseException]:
    """``error`` and its causes, outermost first (the driver's own error last)."""
    chain = [error]
    while (nxt := chain[-1].__cause__ or chain[-1].__context__) is not None and nxt not in chain and len(chain) < 20:
        chain.append(nxt)
    return chain


def _verdict(database: Path) -> str:
    """SQLite's word on the file, or why it could not be asked."""
    if not database.is_file():
        return f"{capped(database, PATH_LIMIT)} is gone"
    return capped(" ".join((damage(database) or "ok").split()), 120)
