"""Stop a study once its trials have spent a given compute (epochs x training images), whatever their count."""

from __future__ import annotations

import optuna
from optuna.trial import FrozenTrial


def spent(study: optuna.Study) -> int:
    return sum(int(t.user_attrs.get("epoch_images", 0)) for t in study.get_trials(deepcopy=False))


class ComputeLimit:
    """Optuna callback: ``study.stop()`` when the study has spent ``limit`` epoch-images."""

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if spent(study) >= self.limit:
            study.stop()
