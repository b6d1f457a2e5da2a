"""What a trial stores about itself (user attributes): the Optuna storage alone must be enough to rebuild
any record of it (MLflow, reports, exports, benchmarks)."""

from __future__ import annotations

import optuna
from optuna.trial import FrozenTrial, TrialState

from objectives.training import CrossValidationResult

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)  # states a trial does not leave


def record_progress(trial: optuna.Trial, result: CrossValidationResult) -> None:
    """What the folds trained so far measured and cost; kept by complete and early-stopped trials alike."""
    trial.set_user_attr("fold_accuracies", result.accuracies)
    trial.set_user_attr("params", result.params)
    trial.set_user_attr("fit_seconds", round(result.fit_seconds, 3))
    trial.set_user_attr("epoch_images", result.epoch_images)


def record_result(trial: optuna.Trial, result: CrossValidationResult) -> None:
    record_progress(trial, result)
    trial.set_user_attr("cv_accuracy_std", result.std_accuracy)
    trial.set_user_attr("training_seconds", round(result.training_seconds, 3))
    trial.set_user_attr("build_seconds", round(result.build_seconds, 3))
    trial.set_user_attr("learning_curves", [fold.history for fold in result.folds])
    trial.set_user_attr("model_summary", result.model_summary)


def stop_reason(trial: FrozenTrial) -> str:
    """Why a trial did not complete, as recorded by the objective (or by Optuna for a crash)."""
    attrs = trial.user_attrs
    return attrs.get("fail_reason") or attrs.get("pruned_reason") or trial.system_attrs.get("fail_reason", "")
