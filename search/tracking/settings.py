"""Where MLflow records go and how a study's runs are named: one definition for logging, export and promote.

``MLFLOW_TRACKING_URI`` (MLflow's own variable) points at a team server; otherwise the local store in
``mlflow/`` is used (MLflow 3 refuses the old folder store, so it is SQLite with artifacts beside it).
"""

from __future__ import annotations

import os
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


def prepare_tracking(uri: str) -> None:
    """Create a SQLite store's folder (MLflow does not) and make HTTP requests fail fast."""
    database = sqlite_path(uri)
    if database is not None:  # never MLflow tables inside the Optuna database (search.study.files)
        prepare_file("MLFLOW_TRACKING_URI", uri, database, "MLflow", TrackingError)
    for name, value in HTTP_DEFAULTS.items():
        os.environ.setdefault(name, value)
