"""The held-out test split the search never sees, and the stratified folds of the rest."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import StratifiedKFold, train_test_split

from objectives.errors import DataError


def _check_counts(labels: np.ndarray, class_names: tuple[str, ...], needed: int, why: str) -> None:
    counts = np.bincount(labels, minlength=len(class_names))
    for name, count in zip(class_names, counts):
        if count < needed:
            raise DataError(f"class {name!r} has {count} images but {why} needs at least {needed}; "
                            "add images to that class, or lower the fold count / test fraction")


def holdout_split(labels: np.ndarray, class_names: tuple[str, ...], test_fraction: float,
                  seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified (search indices, test indices); the same seed and data give the same split."""
    if not 0.0 < test_fraction < 1.0:
        raise DataError(f"test fraction must be between 0 and 1 (exclusive), got {test_fraction}")
    _check_counts(labels, class_names, 2, f"a stratified test split of {test_fraction:.0%}")
    indices = np.arange(len(labels))
    n_test = max(int(round(test_fraction * len(labels))), len(class_names))
    search, test = train_test_split(indices, test_size=n_test, stratify=labels, random_state=seed)
    return np.sort(search), np.sort(test)


def stratified_folds(labels: np.ndarray, class_names: tuple[str, ...], folds: int,
                     seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, validation) positions into ``labels`` for each fold, with class ratios kept in each."""
    if folds < 2:
        raise DataError(f"folds must be at least 2, got {folds}")
    _check_counts(labels, class_names, folds, f"{folds}-fold cross-validation (after the test split)")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(labels)), labels))
