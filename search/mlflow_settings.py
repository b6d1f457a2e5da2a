"""Where MLflow records go and how a study's runs are named: one definition for logging, export and promote.

``MLFLOW_TRACKING_URI`` (MLflow's own variable) points at a team server; otherwise the local store in
``mlflow/`` is used (MLflow 3 refuses the old folder store, so it is SQLite with artifacts beside it).
"""

from __future__ import annotations

import os
from pathlib import Path

MLFLOW_DIR = Path("mlflow")
DEFAULT_TRACKING_URI = f"sqlite:///{MLFLOW_DIR}/mlflow.db"
LOCAL_ARTIFACTS = MLFLOW_DIR / "artifacts"

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
