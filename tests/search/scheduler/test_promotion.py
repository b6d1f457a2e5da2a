"""Multi-fidelity by Pareto rank: the order, the rule, and a real study whose trials are ranked at a rung."""

import math

import pytest
from optuna.trial import TrialState

from objectives.config import TrainingConfig
from search.runner.run import RunSettings, run_study
from search.scheduler.promotion import crowding, fronts, goes_on, pareto_order, rungs
from tests.conftest import tiny_space


def test_rungs_are_powers_of_three_below_the_full_fold_count():
    assert rungs(5) == (1, 3) and rungs(2) == (1,) and rungs(10) == (1, 3, 9) and rungs(1) == ()


def test_non_dominated_sorting_and_crowding_by_hand():
    points = [(0.9, 1000), (0.8, 500), (0.7, 100), (0.6, 600), (0.5, 2000)]
    # (0.6, 600) is beaten by (0.8, 500); (0.5, 2000) by everything except itself
    assert fronts(points) == [[0, 1, 2], [3], [4]]
    distance = crowding(points, [0, 1, 2])
    assert distance[0] == distance[2] == math.inf
    # the middle point: accuracy neighbours 0.7 .. 0.9 over a span of 0.2, params 100 .. 1000 over 900
    assert distance[1] == pytest.approx(0.2 / 0.2 + 900 / 900)
    assert pareto_order(points) == [0, 2, 1, 3, 4]


def test_a_trial_goes_on_unless_clearly_beaten_and_outside_the_top_third():
    peers = [(0.9, 1000), (0.8, 500), (0.7, 100), (0.6, 600), (0.5, 2000)]
    assert goes_on((0.3, 50), peers)  # the smallest: on the rung's front
    assert not goes_on((0.55, 1500), peers)  # beaten by far, and 6th of 6
    assert goes_on((0.79, 600), peers)  # beaten, but by less than one fold's noise (0.02)
    assert not goes_on((0.79, 600), peers, rung=9)  # over 9 folds the margin is 0.0067
    assert goes_on((0.1, 9000), peers[:2])  # fewer than 3 peers: nothing to rank against yet


def test_a_real_study_stops_weak_trials_at_the_first_rung_and_keeps_the_fidelity(small_digits, tmp_path):
    """Five folds: rungs after folds 1 and 3. A study of 10 trials ranks every trial after fold 1; the ones it
    stops keep their fold accuracies and the rung in the record, and none of them is on the front."""
    settings = RunSettings(study="r", storage=f"sqlite:///{tmp_path}/optuna.db", trials=10, data_dir=small_digits,
                           space=tiny_space(tmp_path), training=TrainingConfig(epochs=1, folds=5),
                           cache_root=tmp_path / "cache", mlflow=False, start_points=False, test_fraction=0.1)
    study = run_study(settings)
    stopped = [t for t in study.get_trials() if t.user_attrs.get("pruned_at_rung")]
    assert stopped, [t.user_attrs.get("pruned_reason") for t in study.get_trials()]
    for trial in stopped:
        assert trial.state == TrialState.PRUNED
        assert len(trial.user_attrs["fold_accuracies"]) == trial.user_attrs["pruned_at_rung"] in (1, 3)
        assert "top third by Pareto rank" in trial.user_attrs["pruned_reason"]
        assert "ahead with fewer" in trial.user_attrs["pruned_reason"]
    front = {t.number for t in study.best_trials}
    assert not front & {t.number for t in stopped}
    assert all(len(t.user_attrs["fold_accuracies"]) == 5 for t in study.best_trials)
