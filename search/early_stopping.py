"""Early stopping across folds for multi-objective studies, where Optuna has no pruning of its own.

After each fold the trial's mean CV accuracy is bounded from above: every remaining fold is scored as
the best fold so far plus a margin (``margin=1`` scores them perfect, a bound that can never be wrong).
If a trial already on the front has no more parameters and at least that accuracy, this trial cannot
reach the front at its parameter count, so its remaining folds are not trained.

Folds of one configuration agree closely (their spread is a few points), so the perfect-score bound
stops little before the last fold; ``DEFAULT_MARGIN`` was chosen by replaying the rule on runs that
trained every fold (BENCHMARKS.md: compute saved against front hypervolume lost).
"""

from __future__ import annotations

import optuna
from optuna.trial import TrialState

from objectives.training import CrossValidationResult, FoldResult
from search.study import record_out_of_reach

DEFAULT_MARGIN = 0.1  # accuracy points a later fold may still beat the best fold so far by
CERTAIN = 1.0  # with this margin the bound is never wrong


def optimistic_bound(accuracies: list[float], folds: int, margin: float = DEFAULT_MARGIN) -> float:
    """The highest mean the trial is taken to be able to reach."""
    remaining = min(1.0, max(accuracies) + margin)
    return (sum(accuracies) + (folds - len(accuracies)) * remaining) / folds


def dominating(front: list[tuple[float, int]], accuracy: float, params: int) -> tuple[float, int] | None:
    """A front point at least as good in both objectives and better in one, if any."""
    for front_accuracy, front_params in front:
        if front_accuracy >= accuracy and front_params <= params and (front_accuracy > accuracy or front_params < params):
            return front_accuracy, front_params
    return None


class FoldPruner:
    """``on_fold`` callback of one trial: raise ``optuna.TrialPruned`` once the trial is out of reach."""

    def __init__(self, study: optuna.Study, trial: optuna.Trial, folds: int, margin: float = DEFAULT_MARGIN):
        self.trial, self.folds, self.margin = trial, folds, margin
        complete = [t for t in study.best_trials if t.state == TrialState.COMPLETE]
        self.front = [(t.values[0], int(t.values[1])) for t in complete]

    def __call__(self, fold: FoldResult, result: CrossValidationResult) -> None:
        if len(result.folds) >= self.folds:
            return
        bound = optimistic_bound(result.accuracies, self.folds, self.margin)
        better = dominating(self.front, bound, result.params)
        if better is not None:
            reason = (f"after fold {len(result.folds)} of {self.folds}, at most {bound:.3f} mean accuracy with "
                      f"{result.params:,} parameters; front already has {better[0]:.3f} with {better[1]:,}")
            record_out_of_reach(self.trial, result, bound, reason)
            raise optuna.TrialPruned(reason)
