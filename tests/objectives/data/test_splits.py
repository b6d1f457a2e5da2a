import numpy as np
import pytest

from objectives.data.splits import holdout_split, stratified_folds
from objectives.errors import DataError

CLASSES = ("a", "b", "c")


def test_folds_keep_class_ratios_and_cover_everything_once():
    labels = np.array([0] * 50 + [1] * 30 + [2] * 20)
    folds = stratified_folds(labels, CLASSES, 5, seed=0)
    assert len(folds) == 5
    seen = np.concatenate([validation for _, validation in folds])
    assert sorted(seen) == list(range(100))
    for train, validation in folds:
        assert not set(train) & set(validation)
        assert list(np.bincount(labels[validation])) == [10, 6, 4]


def test_holdout_is_stratified_fixed_and_disjoint():
    labels = np.array([0] * 60 + [1] * 40)
    search, test = holdout_split(labels, ("a", "b"), 0.15, seed=3)
    assert list(np.bincount(labels[test])) == [9, 6]
    assert not set(search) & set(test) and len(search) + len(test) == 100
    again = holdout_split(labels, ("a", "b"), 0.15, seed=3)
    assert np.array_equal(again[1], test)


def test_a_class_smaller_than_the_fold_count_is_named():
    labels = np.array([0] * 20 + [1] * 20 + [2] * 3)
    with pytest.raises(DataError, match=r"class 'c' has 3 images but 5-fold"):
        stratified_folds(labels, CLASSES, 5, seed=0)
