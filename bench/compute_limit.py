"""Stop a study once its trials have spent a given compute (epochs x training images) or wall time,
whatever their count. Both are read from the study's storage, so a resumed study counts what it spent
before the interruption."""

from __future__ import annotations

import optuna
from optuna.trial import FrozenTrial

from bench.measure import finished, wall_steps


def spent(study: optuna.Study) -> int:
    return sum(int(t.user_attrs.get("epoch_images", 0)) for t in study.get_trials(deepcopy=False))


def wall_spent(study: optuna.Study) -> float:
    """Seconds of the study's sequential run so far, counted as the benchmark's curves count them."""
    return sum(wall_steps(finished(study)))


class ComputeLimit:
    """Optuna callback: ``study.stop()`` when the study has spent ``limit`` epoch-images."""

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if spent(study) >= self.limit:
            study.stop()


class WallLimit:
    """Optuna callback: ``study.stop()`` when the study's trials have taken ``seconds`` of wall time."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if wall_spent(study) >= self.seconds:
            study.stop()
