"""What a finished trial's run holds, before either path writes it: real Optuna trials, no MLflow store."""

from datetime import datetime, timedelta

import optuna
from optuna.trial import TrialState

from search.study import SystemAttr, TrialAttr
from search.tracking.trial_run import (
    NOTE_TAG,
    PARENT_RUN_TAG,
    REASON_TAG,
    RETRY_TAG,
    SUMMARY_FILE,
    SUMMARY_TAG,
    trial_run,
)

CONFIG = {"image_size": 16, "architecture": {"family": "plain", "filters": [8, 16]}, "training": {"epochs": 2}}


def _trial(state: TrialState, **attrs) -> optuna.trial.FrozenTrial:
    study = optuna.create_study(directions=["maximize", "minimize"])
    system = attrs.pop("system_attrs", {})
    study.add_trial(optuna.trial.create_trial(
        state=state, values=[0.75, 120] if state == TrialState.COMPLETE else None,
        user_attrs={TrialAttr.CONFIG: CONFIG, TrialAttr.DESCRIPTION: "plain 16px", **attrs}, system_attrs=system))
    return study.get_trials()[0]


def test_a_complete_trial_is_a_finished_run_with_its_config_folds_and_curves():
    trial = _trial(TrialState.COMPLETE, fold_accuracies=[0.7, 0.8], params=120,
                   learning_curves=[{"loss": [0.9, 0.5]}, {"epoch": [1, 3], "loss": [0.8, 0.4]}])
    run = trial_run("s", "sqlite:////x.db", "parent-id", trial)
    assert (run.name, run.status, run.texts) == ("trial-0", "FINISHED", {})
    assert run.tags[PARENT_RUN_TAG] == "parent-id" and run.tags[NOTE_TAG] == "plain 16px"
    assert run.params == {"image_size": "16", "architecture.family": "plain", "architecture.filters": "[8, 16]",
                          "training.epochs": "2"}
    points = {(m.key, m.step): m.value for m in run.metrics}
    assert points[("cv_accuracy", 0)] == 0.75 and points[("params", 0)] == 120
    assert points[("fold_accuracy", 0)] == 0.7 and points[("fold_accuracy", 1)] == 0.8  # steps: folds from 0
    assert points[("train_loss/fold_0", 2)] == 0.5 and points[("train_loss/fold_1", 3)] == 0.4  # epochs from 1
    assert {m.timestamp for m in run.metrics} == {run.end_time} and run.start_time <= run.end_time


def test_failed_pruned_and_retried_trials_say_why_and_a_long_summary_is_an_artifact():
    failed = trial_run("s", "x", "p", _trial(TrialState.FAIL, fail_reason="ResourceExhaustedError: OOM"))
    assert failed.status == "FAILED" and failed.tags[REASON_TAG] == "ResourceExhaustedError: OOM"
    assert "cv_accuracy" not in {m.key for m in failed.metrics}
    pruned = trial_run("s", "x", "p", _trial(TrialState.PRUNED, pruned_reason="over the MACs budget"))
    assert pruned.status == "KILLED" and REASON_TAG not in pruned.tags and "MACs" in pruned.tags[NOTE_TAG]
    retry = _trial(TrialState.PRUNED, system_attrs={SystemAttr.FAILED_TRIAL: 4, SystemAttr.RETRY_HISTORY: [4]})
    assert trial_run("s", "x", "p", retry).tags[RETRY_TAG] == "4"
    long = "x" * 9000
    summarized = trial_run("s", "x", "p", _trial(TrialState.COMPLETE, model_summary=long))
    assert summarized.texts == {SUMMARY_FILE: long} and SUMMARY_FILE in summarized.tags[SUMMARY_TAG]
    short = trial_run("s", "x", "p", _trial(TrialState.COMPLETE, model_summary="Total params: 120"))
    assert short.texts == {} and short.tags[SUMMARY_TAG] == "Total params: 120"


def test_a_trial_without_times_gets_now_as_mlflow_would():
    trial = _trial(TrialState.FAIL)
    trial.datetime_start = trial.datetime_complete = None
    before = int((datetime.now() - timedelta(seconds=1)).timestamp() * 1000)
    run = trial_run("s", "x", "p", trial)
    assert before <= run.start_time == run.end_time
