"""What a trial stores about itself (user attributes): the Optuna storage alone must be enough to rebuild
any record of it (MLflow, reports, exports, benchmarks)."""

from __future__ import annotations

import optuna

from objectives.training import CrossValidationResult


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
