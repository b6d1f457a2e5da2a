"""Where MLflow records go and how a study's runs are named: one definition for logging, export and promote.

``MLFLOW_TRACKING_URI`` (MLflow's own variable) points at a team server; otherwise the local store in
``mlflow/`` is used (MLflow 3 refuses the old folder store, so it is SQLite with artifacts beside it).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from objectives.errors import TrackingError
from search.study import prepare_file

MLFLOW_DIR = Path("mlflow")
DEFAULT_TRACKING_URI = f"sqlite:///{MLFLOW_DIR}/mlflow.db"

# Tags that key a trial's run: logging the same (study, trial) twice updates that run.
STUDY_TAG = "optuna.study"
TRIAL_TAG = "optuna.trial_number"
STORAGE_TAG = "optuna.storage"
PARENT_TAG = "optuna.study_parent"  # "true" on the study's parent run


def tracking_uri() -> str:
    return os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def experiment_name(study: str) -> str:
    """One MLflow experiment per study."""
    return f"study/{study}"

# Slow or absent servers must not hold a study up: MLflow's own defaults retry for about four minutes.
# Applied only where the user has not set them (MLflow reads these variables at every request).
HTTP_DEFAULTS = {"MLFLOW_HTTP_REQUEST_TIMEOUT": "10", "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
                 "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1"}


def sqlite_path(uri: str) -> Path | None:
    """The database file of a SQLite tracking URI (``sqlite:///rel`` or ``sqlite:////abs``), else None."""
    return Path(uri.removeprefix("sqlite:///").split("?")[0]).expanduser() if uri.startswith("sqlite:///") else None


def artifact_location(study: str, uri: str) -> str | None:
    """Where a new experiment keeps its artifacts: beside a SQLite database, one folder per study (MLflow
    would otherwise write ./mlruns wherever the command runs); None lets a tracking server decide."""
    database = sqlite_path(uri)
    return None if database is None else (database.parent / "artifacts" / study).resolve().as_uri()


# SQLite files of MLflow stores whose connections write-ahead (see ``_write_ahead``)
WAL_DATABASES: set[str] = set()


def _write_ahead(connection: object, _record: object) -> None:
    """SQLAlchemy ``connect`` hook: a write-ahead journal, synced at checkpoints, for an MLflow store's file only.

    MLflow commits every SQLAlchemy session it opens (five to nine a trial); with SQLite's default rollback
    journal each commit waits for the disk: the first ``sync-mlflow`` of 1,000 trials (``python -m bench.scale``
    clone, 2 cores) took 41.9 s with it and 33.9 s with this. A power cut can lose the last commits, never
    corrupt the file, and the store is a copy ``sync-mlflow`` repairs: a run whose final status is lost is
    rewritten. MLflow's own bulk import into SQLite (``mlflow.store.fs2db``) goes further: no syncing at all."""
    if not isinstance(connection, sqlite3.Connection) or not WAL_DATABASES:
        return
    files = {row[2] for row in connection.execute("PRAGMA database_list")}
    if files & WAL_DATABASES:
        try:
            connection.execute("PRAGMA journal_mode=WAL")  # stays in the file, for every later reader
            connection.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error:  # read-only or busy: MLflow's own write then says what is wrong
            pass


def write_ahead(database: Path) -> None:
    """Have every later connection of this process to ``database`` use ``_write_ahead``."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    WAL_DATABASES.add(str(database.resolve()))
    if not event.contains(Engine, "connect", _write_ahead):
        event.listen(Engine, "connect", _write_ahead)


def prepare_tracking(uri: str) -> None:
    """Create a SQLite store's folder (MLflow does not), have it journal ahead, make HTTP requests fail fast."""
    database = sqlite_path(uri)
    if database is not None:  # never MLflow tables inside the Optuna database (search.study.files)
        prepare_file("MLFLOW_TRACKING_URI", uri, database, "MLflow", TrackingError)
        write_ahead(database)
    for name, value in HTTP_DEFAULTS.items():
        os.environ.setdefault(name, value)
