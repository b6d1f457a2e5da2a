"""Every number a study is run with, checked before anything is created, opened or trained.

A study is made once and then resumed with the same settings, so a setting refused only after the
study was created with it (``FOLDS=1``) makes the corrected command look like "different training".
Bad numbers either crash deep inside TensorFlow or scikit-learn (batch size 0, a negative seed) or,
worse, succeed: zero epochs or a NaN learning rate record untrained models as COMPLETE trials at chance.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from objectives.config import MAX_LEARNING_RATE, TrainingConfig
from objectives.errors import SettingError
from objectives.quoting import quoted

MAX_TRIALS = 1_000_000
MAX_EPOCHS = 10_000
MAX_FOLDS = 100
MAX_BATCH_SIZE = 65_536
MAX_SEED = 2**31 - 1  # scikit-learn takes seeds up to 2**32 - 1; the study adds trial counts and offsets to it


def _whole(setting: str, value: object, low: int, high: int, advice: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingError(f"{setting}: {low} <= value <= {high:,} must hold (a whole number), "
                         f"but got {quoted(value)}; {advice}")


def _fraction(setting: str, value: object, low: float, high: float, advice: str,
              inside: Callable[[float], bool]) -> None:
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan
    if not math.isfinite(number) or not inside(number):
        raise SettingError(f"{setting}: {low:g} < value <= {high:g} must hold, but got {quoted(value)}; {advice}")


def check_trials(trials: object) -> None:
    """The study's total budget: at least one trial, or the run creates a study that never trains."""
    _whole("--trials (TRIALS)", trials, 1, MAX_TRIALS, "pass the study's total number of trials, e.g. TRIALS=16")


def check_split(folds: object, test_fraction: object, seed: object) -> None:
    """What the data check and the split need: used by ``check-data`` as well as by a study."""
    _whole("--folds (FOLDS)", folds, 2, MAX_FOLDS,
           f"cross-validation needs at least 2 folds; the default is {TrainingConfig.folds}")
    _fraction("--test-fraction", test_fraction, 0, 0.9, "the held-out share, e.g. 0.15",
              lambda v: 0 < v <= 0.9)
    _whole("--seed", seed, 0, MAX_SEED, "pass a non-negative whole number, e.g. 0")


def check_training(training: TrainingConfig, test_fraction: float) -> None:
    """Every training setting, in the order a person reads the command line."""
    _whole("--epochs (EPOCHS)", training.epochs, 1, MAX_EPOCHS,
           f"every fold needs at least one epoch; the default is {TrainingConfig.epochs}")
    check_split(training.folds, test_fraction, training.seed)
    _whole("--batch-size", training.batch_size, 1, MAX_BATCH_SIZE, "pass a positive batch size, e.g. 32")
    _fraction("--learning-rate", training.learning_rate, 0, MAX_LEARNING_RATE, "pass a positive number, e.g. "
                                                                               f"{TrainingConfig.learning_rate}",
              lambda v: 0 < v <= MAX_LEARNING_RATE)


def check_run(trials: object, training: TrainingConfig, test_fraction: float) -> None:
    """All the numbers of ``python -m search run`` / ``make study``, before the storage is even opened."""
    check_trials(trials)
    check_training(training, test_fraction)
