"""A finished trial as the MLflow run it makes: status, name, times, tags, params, metrics and the artifact of a
summary too long for a tag. One description for both writers: the client (live logging, repairs, tracking servers)
and the bulk path of a first sync (``search.tracking.bulk``), which the parity test holds to the client's."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mlflow.entities import Metric
from mlflow.utils.time import get_current_time_millis
from mlflow.utils.validation import MAX_PARAM_VAL_LENGTH, MAX_TAG_VAL_LENGTH
from optuna.trial import FrozenTrial, TrialState

from search.study import TrialAttr, config_dict, description, retry_of, state_name, stop_reason
from search.tracking.settings import STORAGE_TAG, STUDY_TAG, TRIAL_TAG

RUN_STATUS = {TrialState.COMPLETE: "FINISHED", TrialState.FAIL: "FAILED", TrialState.PRUNED: "KILLED"}
STATE_TAG = "optuna.trial_state"
RETRY_TAG = "optuna.retry_of"  # the failed trial a heartbeat retry re-runs
REASON_TAG = "optuna.fail_reason"
NOTE_TAG = "mlflow.note.content"  # shown as the run's description in the MLflow UI
PARENT_RUN_TAG = "mlflow.parentRunId"  # what nests a run under another in the MLflow UI
# Keras' summary: a tag written with the run when it fits, else the artifact SUMMARY_FILE (an artifact is a
# get_run and a file more per trial; BENCHMARKS.md, "Commands at 100 and 1,000 trials")
SUMMARY_TAG = "model_summary"
SUMMARY_FILE = "model_summary.txt"
# Logged as metrics under their attribute names (step 0)
METRIC_ATTRS = (TrialAttr.CV_ACCURACY_STD, TrialAttr.PARAMS, TrialAttr.TRAINING_SECONDS, TrialAttr.BUILD_SECONDS,
                TrialAttr.TRIAL_SECONDS, TrialAttr.EPOCHS, TrialAttr.FIT_SECONDS, TrialAttr.EPOCH_IMAGES)


@dataclass(frozen=True)
class NewRun:
    """A finished run as MLflow will hold it: what both writers are given."""

    name: str
    status: str  # its final status: FINISHED, FAILED or KILLED
    start_time: int
    end_time: int
    tags: dict[str, str]
    params: dict[str, str]
    metrics: list[Metric]
    texts: dict[str, str] = field(default_factory=dict)  # artifact file name -> its text


def _ms(moment: datetime | None) -> int | None:
    return int(moment.timestamp() * 1000) if moment else None


def flat_params(prefix: str, value: Any) -> dict[str, str]:
    """A nested configuration as MLflow params: ``architecture.filters`` -> ``[8, 16]``."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in flat_params(f"{prefix}{key}.", item).items()}
    text = json.dumps(list(value)) if isinstance(value, (list, tuple)) else str(value)
    return {prefix.rstrip("."): text[:MAX_PARAM_VAL_LENGTH]}


def trial_params(trial: FrozenTrial) -> dict[str, str]:
    """Every parameter of the trial's configuration (as stored by the objective, never Optuna's raw params)."""
    return flat_params("", config_dict(trial))


def trial_metrics(trial: FrozenTrial) -> list[Metric]:
    """The trial's results; steps are fold numbers (from 0) for fold accuracy and epochs (from 1) for curves."""
    attrs, stamp = trial.user_attrs, _ms(trial.datetime_complete or trial.datetime_start) or 0
    metrics = [Metric(key, float(attrs[key]), stamp, 0) for key in METRIC_ATTRS if attrs.get(key) is not None]
    if trial.state == TrialState.COMPLETE:
        metrics.append(Metric("cv_accuracy", float(trial.values[0]), stamp, 0))
    metrics += [Metric("fold_accuracy", float(acc), stamp, fold)
                for fold, acc in enumerate(attrs.get(TrialAttr.FOLD_ACCURACIES, []))]
    for fold, curves in enumerate(attrs.get(TrialAttr.LEARNING_CURVES, [])):
        epochs = curves.get("epoch") or range(1, len(curves.get("loss", [])) + 1)  # trials of older runs: every epoch
        metrics += [Metric(f"train_{name}/fold_{fold}", float(value), stamp, epoch)
                    for name, values in curves.items() if name != "epoch" for epoch, value in zip(epochs, values)]
    return metrics


def trial_tags(study: str, storage: str, parent_run_id: str, trial: FrozenTrial) -> dict[str, str]:
    """Keys (study, trial number, ``storage`` as ``storage_identity`` gives it), nesting, state and why it failed."""
    reason = stop_reason(trial) if trial.state in (TrialState.FAIL, TrialState.PRUNED) else ""
    tags = {STUDY_TAG: study, TRIAL_TAG: str(trial.number), STORAGE_TAG: storage,
            STATE_TAG: state_name(trial), PARENT_RUN_TAG: parent_run_id,
            NOTE_TAG: "\n\n".join(filter(None, [description(trial), reason]))}
    if reason and trial.state == TrialState.FAIL:  # REASON_TAG: failures only; a pruned trial's reason is in its note
        tags[REASON_TAG] = reason
    if (original := retry_of(trial)) is not None:
        tags[RETRY_TAG] = str(original)
    tags = {key: value[:MAX_TAG_VAL_LENGTH] for key, value in tags.items()}
    if summary := trial.user_attrs.get(TrialAttr.MODEL_SUMMARY):  # never cut: a longer one is an artifact
        tags[SUMMARY_TAG] = summary if len(summary) <= MAX_TAG_VAL_LENGTH else \
            f"{len(summary)} characters, too long for a tag: see the artifact {SUMMARY_FILE}"
    return tags


def trial_run(study: str, storage: str, parent_run_id: str, trial: FrozenTrial) -> NewRun:
    """The run a finished trial makes, whichever path writes it (times the trial lacks: now, as MLflow's)."""
    summary, now = trial.user_attrs.get(TrialAttr.MODEL_SUMMARY) or "", get_current_time_millis()
    return NewRun(name=f"trial-{trial.number}", status=RUN_STATUS[trial.state],
                  start_time=_ms(trial.datetime_start) or now, end_time=_ms(trial.datetime_complete) or now,
                  tags=trial_tags(study, storage, parent_run_id, trial), params=trial_params(trial),
                  metrics=trial_metrics(trial),
                  texts={SUMMARY_FILE: summary} if len(summary) > MAX_TAG_VAL_LENGTH else {})
