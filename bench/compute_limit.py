"""Stop a study once its trials have spent a given compute (epochs x training images) or wall time,
whatever their count. Both are read from the study's storage, so a resumed study counts what it spent
before the interruption."""

from __future__ import annotations

from collections.abc import Callable

import optuna
from optuna.trial import FrozenTrial

from bench.measure import finished, wall_steps
from search.study import TrialAttr


def spent(study: optuna.Study) -> int:
    return sum(int(t.user_attrs.get(TrialAttr.EPOCH_IMAGES, 0)) for t in study.get_trials(deepcopy=False))


def wall_spent(study: optuna.Study) -> float:
    """Seconds of the study's sequential run so far, counted as the benchmark's curves count them."""
    return sum(wall_steps(finished(study)))


class SpendLimit:
    """Optuna callback: ``study.stop()`` once ``measure(study)`` (what the study has spent) reaches ``limit``."""

    def __init__(self, measure: Callable[[optuna.Study], float], limit: float):
        self.measure, self.limit = measure, limit

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if self.measure(study) >= self.limit:
            study.stop()


def ComputeLimit(limit: int) -> SpendLimit:  # noqa: N802 (reads as the callback it makes)
    """Stop at ``limit`` epoch-images."""
    return SpendLimit(spent, limit)


def WallLimit(seconds: float) -> SpendLimit:  # noqa: N802
    """Stop once the study's trials have taken ``seconds`` of wall time."""
    return SpendLimit(wall_spent, seconds)
