"""Early stopping across folds for multi-objective studies, where Optuna has no pruning of its own: the
front's bound below, and the ranking at each rung of ``search.scheduler.promotion`` (multi-fidelity by Pareto rank).

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

from objectives.training.cross_validation import CrossValidationResult, FoldResult
from search.scheduler.promotion import epsilon, goes_on, rungs
from search.study import TrialAttr, pareto_front, record_out_of_reach, record_rung, record_rung_stop

DEFAULT_MARGIN = 0.1  # accuracy points a later fold may still beat the best fold so far by
CERTAIN = 1.0  # with this margin the bound is never wrong


def optimistic_bound(accuracies: list[float], folds: int, margin: float = DEFAULT_MARGIN) -> float:
    """The highest mean the trial is taken to be able to reach."""
    remaining = min(1.0, max(accuracies) + margin)
    return (sum(accuracies) + (folds - len(accuracies)) * remaining) / folds


def dominating(front: list[tuple[float, int]], accuracy: float, params: int) -> tuple[float, int] | None:
    """A front point at least as good in both objectives and better in one, if any."""
    for front_accuracy, front_params in front:
        at_least_as_good = front_accuracy >= accuracy and front_params <= params
        if at_least_as_good and (front_accuracy > accuracy or front_params < params):
            return front_accuracy, front_params
    return None


class FoldPruner:
    """``on_fold`` callback of one trial: raise ``optuna.TrialPruned`` once the trial is out of reach, or once
    it ranks too low among the trials that reached the same rung (``search.scheduler.promotion``)."""

    def __init__(self, study: optuna.Study, trial: optuna.Trial, folds: int, margin: float = DEFAULT_MARGIN):
        self.study, self.trial, self.folds, self.margin = study, trial, folds, margin
        self.front = [(t.values[0], int(t.values[1])) for t in pareto_front(study)]
        self.rungs = rungs(folds)

    def rung_peers(self, rung: int) -> list[tuple[float, float]]:
        """(mean accuracy over the first ``rung`` folds, parameters) of every other trial that reached ``rung``."""
        peers = []
        for other in self.study.get_trials(deepcopy=False):
            accuracies = other.user_attrs.get(TrialAttr.FOLD_ACCURACIES, [])
            if other.number != self.trial.number and len(accuracies) >= rung and TrialAttr.PARAMS in other.user_attrs:
                peers.append((sum(accuracies[:rung]) / rung, other.user_attrs[TrialAttr.PARAMS]))
        return peers

    def check_rung(self, result: CrossValidationResult) -> None:
        """At a rung: store the folds for the other workers, then stop unless ranked to go on."""
        rung = len(result.folds)
        record_rung(self.trial, result)
        mine, peers = (result.mean_accuracy, result.params), self.rung_peers(rung)
        if not goes_on(mine, peers, rung):
            reason = (f"after fold {rung} of {self.folds}, {mine[0]:.3f} mean accuracy with {result.params:,} "
                      f"parameters: another trial is more than {epsilon(rung):.3f} ahead with fewer, "
                      f"and it is not in the top third by Pareto rank of the {len(peers) + 1} trials "
                      f"at {rung} fold{'s' if rung > 1 else ''}")
            record_rung_stop(self.trial, result, reason)
            raise optuna.TrialPruned(reason)

    def __call__(self, fold: FoldResult, result: CrossValidationResult) -> None:
        if len(result.folds) >= self.folds:
            return
        if len(result.folds) in self.rungs:
            self.check_rung(result)
        bound = optimistic_bound(result.accuracies, self.folds, self.margin)
        better = dominating(self.front, bound, result.params)
        if better is not None:
            reason = (f"after fold {len(result.folds)} of {self.folds}, at most {bound:.3f} mean accuracy with "
                      f"{result.params:,} parameters; front already has {better[0]:.3f} with {better[1]:,}")
            record_out_of_reach(self.trial, result, bound, reason)
            raise optuna.TrialPruned(reason)
