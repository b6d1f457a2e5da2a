"""The study as stored in Optuna: what every other part of the service reads and writes through.

Its modules are its own; the rest of the project imports these names from ``search.study``:

- opening: ``open_storage`` (SQLite, PostgreSQL or a journal file, with heartbeats), ``open_study``,
  ``check_study_name``, and ``shown`` / ``masked`` for URLs that may hold a password;
- the study's record (``StudyRecord``: data, space, training, budget, fingerprint);
- what a trial stores (``TrialAttr`` / ``SystemAttr`` named keys, their writers and readers,
  ``stop_reason``, ``state_name``: an interrupted trial is told from a failed one);
- the front in the order every view shows it (``front_rows``);
- what an export recorded (``ExportSummary``, ``ExportFiles``) and where exports and builds go.
"""

from search.study.exports import (
    DEFAULT_AUTHOR,
    DEFAULT_BUILDS,
    DEFAULT_EXPORTS,
    ExportFiles,
    ExportSummary,
    sha256,
)
from search.study.files import os_reason, prepare_file
from search.study.front import at_chance, chance, front_order, front_rows, front_trials, pareto_front
from search.study.record import StudyRecord
from search.study.storage import (
    DEFAULT_STORAGE,
    MAX_RETRY,
    PASSWORD_IN_URL,
    REQUEUE,
    check_study_name,
    fail_running,
    heartbeat_timing,
    journal_path,
    live_trial,
    masked,
    open_storage,
    open_study,
    set_system_attr,
    shown,
)
from search.study.trial_record import (
    FINISHED,
    INTERRUPTED_BY_DEADLINE,
    INTERRUPTED_BY_DEATH,
    SystemAttr,
    TrialAttr,
    config_dict,
    description,
    record_failure,
    record_interrupted,
    record_out_of_reach,
    record_progress,
    record_pruned,
    record_result,
    record_rung,
    record_rung_stop,
    record_start,
    replacements,
    retry_of,
    state_name,
    stop_reason,
    trial_config,
)

__all__ = [
    "DEFAULT_AUTHOR", "DEFAULT_BUILDS", "DEFAULT_EXPORTS", "DEFAULT_STORAGE", "FINISHED", "INTERRUPTED_BY_DEADLINE",
    "INTERRUPTED_BY_DEATH", "MAX_RETRY", "PASSWORD_IN_URL", "REQUEUE",
    "ExportFiles", "ExportSummary", "StudyRecord", "SystemAttr", "TrialAttr",
    "at_chance", "chance", "check_study_name", "config_dict", "description", "fail_running", "front_order",
    "front_rows", "front_trials",
    "heartbeat_timing", "journal_path", "live_trial", "masked",
    "open_storage", "open_study", "os_reason", "pareto_front", "prepare_file", "record_failure", "record_interrupted",
    "record_out_of_reach",
    "record_progress", "record_pruned", "record_result", "record_rung", "record_rung_stop", "record_start",
    "replacements", "retry_of", "set_system_attr", "sha256", "shown", "state_name", "stop_reason", "trial_config",
]
