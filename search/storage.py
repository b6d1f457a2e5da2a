"""Optuna storages: SQLite by default, any SQLAlchemy URL (PostgreSQL for several workers)."""

from __future__ import annotations

from pathlib import Path

import optuna
from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback

from search.errors import StudyError

DEFAULT_STORAGE = "sqlite:///studies/optuna.db"
HEARTBEAT_SECONDS = 30
GRACE_SECONDS = 120  # a trial silent this long belonged to a dead worker: it is failed and re-run


def open_storage(url: str) -> optuna.storages.BaseStorage:
    """Open (creating the SQLite folder if needed) with heartbeats, so a killed worker's trial is retried."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        return RDBStorage(
            url,
            heartbeat_interval=HEARTBEAT_SECONDS,
            grace_period=GRACE_SECONDS,
            heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=2),
        )
    except Exception as error:  # SQLAlchemy and drivers raise many types; all mean "cannot open it"
        raise StudyError(f"cannot open storage {url!r}: {error.__class__.__name__}: {error}; "
                         "check the URL (e.g. sqlite:///studies/optuna.db or postgresql+psycopg2://user:pw@host/db)") from error
