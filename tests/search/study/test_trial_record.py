"""The trial schema on a real Optuna study in SQLite: what the objective's writers store reads back through
the readers, under the names existing studies already hold."""

from __future__ import annotations

import optuna
import pytest
from optuna.storages import RetryHeartbeatStaleTrialCallback
from optuna.trial import TrialState

from objectives.architectures import InfeasibleConfiguration
from objectives.architectures.registry import describe
from objectives.config import ArchitectureConfig, TrainingConfig, TrialConfig
from objectives.training.cross_validation import CrossValidationResult, FoldResult
from search.study import (
    INTERRUPTED_BY_DEATH,
    REQUEUE,
    SystemAttr,
    TrialAttr,
    config_dict,
    description,
    record_failure,
    record_interrupted,
    record_out_of_reach,
    record_pruned,
    record_result,
    record_start,
    replacements,
    retry_of,
    state_name,
    stop_reason,
    trial_config,
)

CONFIG = TrialConfig(16, 2, ArchitectureConfig("plain", (4, 8), (16,), padding="same"), TrainingConfig(epochs=3))


def _names(schema: type) -> set[str]:
    return {value for name, value in vars(schema).items() if name.isupper()}


def test_the_stored_names_are_the_ones_existing_studies_hold():
    assert _names(TrialAttr) == {
        "config", "description", "image_size", "epochs", "int8_untrained", "params", "fold_accuracies",
        "fit_seconds", "epoch_images", "cv_accuracy_std", "training_seconds", "build_seconds", "learning_curves",
        "model_summary", "trial_seconds", "fail_reason", "pruned_reason", "pruned_after_fold", "pruned_bound", "macs",
        "pruned_at_rung", "interrupted"}
    assert _names(SystemAttr) == {"failed_trial", "retry_history", "fail_reason", "constraints", "worker"}


@pytest.fixture
def study(tmp_path) -> optuna.Study:
    """SQLite, so what is read back went through JSON as in a real study (tuples come back as lists)."""
    return optuna.create_study(storage=f"sqlite:///{tmp_path}/optuna.db", directions=["maximize", "minimize"])


def _result(accuracies: list[float]) -> CrossValidationResult:
    folds = [FoldResult(i, a, 1.5, {"epoch": [1, 3], "loss": [0.9, 0.4]}, 1.25, 300) for i, a in enumerate(accuracies)]
    return CrossValidationResult(1234, folds, 0.5, "Model: plain")


def test_a_complete_trial_reads_back_what_it_recorded(study):
    trial = study.ask()
    record_start(trial, CONFIG)
    record_result(trial, _result([0.8, 0.9]))
    study.tell(trial, [0.85, 1234])
    stored = study.trials[0]
    assert trial_config(stored) == CONFIG and config_dict(stored)["architecture"]["filters"] == [4, 8]  # via JSON
    assert description(stored) == describe(CONFIG) and "same/flatten" in description(stored)
    attrs = stored.user_attrs
    assert attrs[TrialAttr.IMAGE_SIZE] == 16 and attrs[TrialAttr.EPOCHS] == 3 and attrs[TrialAttr.PARAMS] == 1234
    assert attrs[TrialAttr.FOLD_ACCURACIES] == [0.8, 0.9] and attrs[TrialAttr.CV_ACCURACY_STD] == pytest.approx(0.05)
    assert attrs[TrialAttr.EPOCH_IMAGES] == 600 and attrs[TrialAttr.FIT_SECONDS] == 2.5
    assert attrs[TrialAttr.TRAINING_SECONDS] == 3.0 and attrs[TrialAttr.BUILD_SECONDS] == 0.5
    assert attrs[TrialAttr.LEARNING_CURVES][1] == {"epoch": [1, 3], "loss": [0.9, 0.4]}
    assert attrs[TrialAttr.MODEL_SUMMARY] == "Model: plain"
    assert stop_reason(stored) == "" and retry_of(stored) is None


def test_a_trial_that_recorded_nothing_reads_as_empty(study):
    study.tell(study.ask(), state=TrialState.FAIL)
    stored = study.trials[0]
    assert config_dict(stored) == {} and description(stored) == "" and stop_reason(stored) == ""


def test_the_objective_s_own_failure_and_early_stops_are_the_stop_reason(study):
    failed = study.ask()
    record_start(failed, CONFIG)
    record_failure(failed, InfeasibleConfiguration("3 conv blocks cannot run on 16x16 images"))
    study.tell(failed, state=TrialState.FAIL)

    over_budget = study.ask()
    record_pruned(over_budget, "over budget before training: 1,234 parameters > max_params 1,000")
    study.tell(over_budget, state=TrialState.PRUNED)

    out_of_reach = study.ask()
    record_out_of_reach(out_of_reach, _result([0.2]), 0.36, "after fold 1 of 5, at most 0.360 mean accuracy")
    study.tell(out_of_reach, state=TrialState.PRUNED)

    failed, over_budget, out_of_reach = study.trials
    assert stop_reason(failed) == "InfeasibleConfiguration: 3 conv blocks cannot run on 16x16 images"
    assert stop_reason(over_budget) == "over budget before training: 1,234 parameters > max_params 1,000"
    assert stop_reason(out_of_reach) == "after fold 1 of 5, at most 0.360 mean accuracy"
    attrs = out_of_reach.user_attrs
    assert attrs[TrialAttr.PRUNED_AFTER_FOLD] == 1 and attrs[TrialAttr.PRUNED_BOUND] == 0.36
    assert attrs[TrialAttr.FOLD_ACCURACIES] == [0.2] and attrs[TrialAttr.EPOCH_IMAGES] == 300
    assert TrialAttr.TRAINING_SECONDS in attrs  # the folds it trained were timed, validation included
    assert TrialAttr.CV_ACCURACY_STD not in attrs  # the folds not trained give no result


def test_optuna_s_own_crash_record_is_the_stop_reason_when_the_objective_recorded_none(study):
    """Older Optuna versions stored a crash's reason as a system attribute; studies they ran still hold it."""
    crash = "Trial 0 failed because of the following error: MemoryError()"
    study.add_trial(optuna.trial.create_trial(state=TrialState.FAIL, system_attrs={SystemAttr.FAIL_REASON: crash}))
    study.add_trial(optuna.trial.create_trial(state=TrialState.FAIL, system_attrs={SystemAttr.FAIL_REASON: crash},
                                              user_attrs={TrialAttr.FAIL_REASON: "MemoryError: out of memory"}))
    assert [stop_reason(t) for t in study.trials] == [crash, "MemoryError: out of memory"]


def test_a_heartbeat_retry_names_the_first_trial_it_re_runs_and_keeps_its_config(study):
    lost = study.ask()
    record_start(lost, CONFIG)
    study.tell(lost, state=TrialState.FAIL)  # as the heartbeat fails a dead worker's trial
    RetryHeartbeatStaleTrialCallback()(study, study.trials[0])
    retry = study.ask()  # the queued retry runs next
    study.tell(retry, state=TrialState.FAIL)
    RetryHeartbeatStaleTrialCallback()(study, study.trials[1])
    first, second, third = study.trials
    assert retry_of(first) is None and retry_of(second) == 0 and retry_of(third) == 0
    assert trial_config(third) == CONFIG and description(third) == describe(CONFIG)


def test_an_interrupted_trial_names_its_signal_and_its_retry_which_runs_afresh(study):
    interrupted, killed, crashed = study.ask(), study.ask(), study.ask()
    for trial in (interrupted, killed, crashed):
        record_start(trial, CONFIG)
    record_interrupted(interrupted, "SIGHUP")  # as the objective's gate records it, before Optuna fails the trial
    record_interrupted(killed, INTERRUPTED_BY_DEATH)
    record_failure(crashed, MemoryError("out of memory"))
    for trial in (interrupted, killed, crashed):
        study.tell(trial, state=TrialState.FAIL)
    REQUEUE(study, study.trials[0])
    REQUEUE(study, study.trials[1])
    first, second, third, retry, retry_of_killed = study.trials
    queued = replacements(study.trials)
    assert queued == {0: 3, 1: 4}
    assert [state_name(t) for t in study.trials] == ["INTERRUPTED", "INTERRUPTED", "FAIL", "WAITING", "WAITING"]
    assert stop_reason(first, queued.get(0)) == "by SIGHUP; queued again as trial 3"
    assert stop_reason(second, queued.get(1)) == "by its process ending (killed or crashed); queued again as trial 4"
    assert stop_reason(third, queued.get(2)) == "MemoryError: out of memory"
    assert TrialAttr.INTERRUPTED not in retry.user_attrs and trial_config(retry) == CONFIG  # a fresh run
    assert retry_of(retry) == 0 and retry_of(retry_of_killed) == 1


def test_a_trial_the_heartbeat_failed_says_so_once_its_retry_is_known(study):
    lost = study.ask()
    study.tell(lost, state=TrialState.FAIL)
    REQUEUE(study, study.trials[0])
    assert stop_reason(study.trials[0], replacements(study.trials).get(0)) == \
        "its process stopped sending heartbeats; queued again as trial 1"
