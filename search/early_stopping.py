"""Early stopping across folds for multi-objective studies, where Optuna has no pruning of its own.

After each fold the trial's mean CV accuracy is bounded from above by scoring every remaining fold as
perfect. If a trial already on the front has no more parameters and at least that accuracy, this trial
cannot reach the front at its parameter count, so its remaining folds are not trained.
"""

from __future__ import annotations

import optuna
from optuna.trial import TrialState

from objectives.training import CrossValidationResult, FoldResult


def optimistic_bound(accuracies: list[float], folds: int) -> float:
    """The highest mean the trial can still reach."""
    return (sum(accuracies) + (folds - len(accuracies)) * 1.0) / folds


def dominating(front: list[tuple[float, int]], accuracy: float, params: int) -> tuple[float, int] | None:
    """A front point at least as good in both objectives and better in one, if any."""
    for front_accuracy, front_params in front:
        if front_accuracy >= accuracy and front_params <= params and (front_accuracy > accuracy or front_params < params):
            return front_accuracy, front_params
    return None


class FoldPruner:
    """``on_fold`` callback of one trial: raise ``optuna.TrialPruned`` once the trial is out of reach."""

    def __init__(self, study: optuna.Study, trial: optuna.Trial, folds: int):
        self.trial, self.folds = trial, folds
        complete = [t for t in study.best_trials if t.state == TrialState.COMPLETE]
        self.front = [(t.values[0], int(t.values[1])) for t in complete]

    def __call__(self, fold: FoldResult, result: CrossValidationResult) -> None:
        if len(result.folds) >= self.folds:
            return
        bound = optimistic_bound(result.accuracies, self.folds)
        better = dominating(self.front, bound, result.params)
        if better is not None:
            self.trial.set_user_attr("fold_accuracies", result.accuracies)
            self.trial.set_user_attr("params", result.params)
            self.trial.set_user_attr("pruned_bound", bound)
            self.trial.set_user_attr("pruned_after_fold", len(result.folds))
            reason = (f"after fold {len(result.folds)} of {self.folds}, at most {bound:.3f} mean accuracy with "
                      f"{result.params:,} parameters; front already has {better[0]:.3f} with {better[1]:,}")
            self.trial.set_user_attr("pruned_reason", reason)
            raise optuna.TrialPruned(reason)
