"""Curves, overhead and the early-stopping replay, on studies built trial by trial with known values."""

import time
from datetime import datetime, timedelta

import optuna
import pytest

from bench.cpu_clock import CpuClock, cpu_seconds
from bench.hypervolume import Reference
from bench.measure import (
    budgets_behind,
    compute_to_reach,
    cpu_to_reach,
    curve,
    hypervolume_at,
    hypervolume_by_wall,
    overhead,
    replay_early_stopping,
    wall_to_reach,
)

REF = Reference(accuracy=0.1, log10_params=5.0)
T0 = datetime(2026, 1, 1)


def _study(trials):
    """``trials``: (fold accuracies, params, seconds taken, fit seconds); each trial starts when the last ended."""
    study = optuna.create_study(directions=["maximize", "minimize"])
    clock = T0
    for folds, params, seconds, fit in trials:
        trial = optuna.trial.create_trial(
            values=[sum(folds) / len(folds), params],
            user_attrs={"fold_accuracies": folds, "epoch_images": 100 * len(folds), "fit_seconds": fit,
                        "training_seconds": fit + 0.5})
        trial.datetime_start, trial.datetime_complete = clock, clock + timedelta(seconds=seconds)
        clock = trial.datetime_complete
        study.add_trial(trial)
    return study


def test_curve_counts_compute_and_time_and_tracks_the_front():
    study = _study([([0.5, 0.5], 100, 10, 8), ([0.9, 0.9], 10_000, 20, 18), ([0.4, 0.4], 1_000, 5, 4)])
    points = curve(study, REF)
    assert [p.compute for p in points] == [200, 400, 600]
    assert [p.wall_seconds for p in points] == [10, 30, 35]
    assert [round(p.hypervolume, 6) for p in points] == [1.2, 1.6, 1.6]  # the third is dominated
    assert compute_to_reach(points, 1.6) == 400 and compute_to_reach(points, 2.0) is None
    assert hypervolume_at(points, 399) == pytest.approx(1.2)


def test_a_trial_left_running_by_a_crash_adds_no_wall_time():
    """Failed on resume two hours later: its start-to-end is the outage, not work."""
    study = _study([([0.5, 0.5], 100, 10, 8)])
    lost = optuna.trial.create_trial(state=optuna.trial.TrialState.FAIL)
    lost.datetime_start, lost.datetime_complete = T0 + timedelta(seconds=10), T0 + timedelta(hours=2)
    study.add_trial(lost)
    after = optuna.trial.create_trial(values=[0.9, 10_000], user_attrs={"epoch_images": 200, "fit_seconds": 18})
    after.datetime_start = lost.datetime_complete
    after.datetime_complete = lost.datetime_complete + timedelta(seconds=20)
    study.add_trial(after)
    assert [p.wall_seconds for p in curve(study, REF)] == [10, 10, 30]


def test_overhead_is_what_is_neither_fit_nor_validation():
    cost = overhead(_study([([0.5, 0.5], 100, 10, 8), ([0.9, 0.9], 10_000, 20, 18)]))
    assert cost.wall_seconds == 30 and cost.fit_seconds == 26 and cost.evaluate_seconds == pytest.approx(1.0)
    assert cost.share_outside_fit == pytest.approx(4 / 30) and cost.share_outside_cv == pytest.approx(3 / 30)


def test_replay_stops_a_trial_that_cannot_reach_the_front_and_keeps_a_small_one():
    study = _study([
        ([0.9, 0.9, 0.9, 0.9, 0.9], 1_000, 10, 9),  # the front
        ([0.2, 0.2, 0.2, 0.2, 0.2], 5_000, 10, 9),  # certain bound after fold 1: (0.2 + 4) / 5 = 0.84 < 0.9 -> stopped
        ([0.2, 0.2, 0.2, 0.2, 0.2], 500, 10, 9),  # smaller than the front: never dominated, kept
    ])
    replay = replay_early_stopping(study, REF, margin=1.0)
    assert replay.pruned == 1 and replay.compute_total == 1500 and replay.compute_saved == 400  # 4 folds of 100
    assert replay.hypervolume_kept == pytest.approx(replay.hypervolume_full)  # it was not on the front anyway


def test_a_small_margin_stops_earlier_and_can_lose_a_front_point():
    study = _study([
        ([0.9, 0.9, 0.9, 0.9, 0.9], 1_000, 10, 9),
        ([0.6, 0.99, 0.99, 0.99, 0.99], 2_000, 10, 9),  # a bad first fold, then the best model of all
    ])
    certain = replay_early_stopping(study, REF, margin=1.0)  # (0.6 + 4) / 5 = 0.92 > 0.9: kept
    assert certain.pruned == 0 and certain.hypervolume_kept == pytest.approx(certain.hypervolume_full)
    tight = replay_early_stopping(study, REF, margin=0.1)  # (0.6 + 4 * 0.7) / 5 = 0.68 < 0.9: stopped, wrongly
    assert tight.pruned == 1 and tight.compute_saved == 400
    assert tight.hypervolume_kept < tight.hypervolume_full


def test_wall_to_reach_and_hypervolume_within_a_wall_time():
    points = curve(_study([([0.5, 0.5], 100, 10, 8), ([0.9, 0.9], 10_000, 20, 18)]), REF)
    assert wall_to_reach(points, 1.2) == 10 and wall_to_reach(points, 1.5) == 30 and wall_to_reach(points, 1.7) is None
    assert hypervolume_by_wall(points, 29.9) == pytest.approx(1.2) and hypervolume_by_wall(points, 5) == 0.0


def test_budgets_behind_lists_every_compute_where_the_other_curve_leads():
    early = curve(_study([([0.5, 0.5], 100, 10, 8), ([0.9, 0.9], 10_000, 20, 18)]), REF)  # 1.2 at 200, 1.6 at 400
    late = curve(_study([([0.1, 0.1], 100, 10, 8), ([0.9, 0.9], 100, 10, 8)]), REF)  # 0 at 200, 2.4 at 400
    assert budgets_behind(early, late, 400) == [400]
    assert budgets_behind(late, early, 400) == [200]
    assert budgets_behind(early, late, 399) == [] and budgets_behind(early, early, 400) == []


def test_cpu_time_comes_from_the_clock_and_falls_back_to_wall_time():
    study = _study([([0.5, 0.5], 100, 10, 8), ([0.9, 0.9], 10_000, 20, 18)])
    study.set_user_attr("cpu_seconds.0", 4.0)  # as bench.cpu_clock.CpuClock stores it; trial 1 has none
    points = curve(study, REF)
    assert [p.cpu_seconds for p in points] == [4.0, 24.0]
    assert cpu_to_reach(points, 1.2) == 4.0 and cpu_to_reach(points, 1.6) == 24.0 and cpu_to_reach(points, 2) is None


def test_the_cpu_clock_stores_each_trials_process_time():
    study = optuna.create_study(directions=["maximize", "minimize"])

    def objective(trial):
        deadline = time.process_time() + 0.05 * (trial.number + 1)
        while time.process_time() < deadline:  # real CPU work, more for each trial
            pass
        return 0.5, 10

    study.optimize(objective, n_trials=3, callbacks=[CpuClock()])
    spent = cpu_seconds(study)
    assert sorted(spent) == [0, 1, 2] and spent[0] >= 0.05 and spent[1] >= 0.1 and spent[2] >= 0.15


def test_budgets_behind_on_wall_time():
    fast = curve(_study([([0.5, 0.5], 100, 10, 8), ([0.9, 0.9], 10_000, 20, 18)]), REF)  # 1.2 at 10 s, 1.6 at 30 s
    slow = curve(_study([([0.9, 0.9], 100, 60, 50)]), REF)  # 2.4 at 60 s
    assert budgets_behind(slow, fast, 60, axis="wall_seconds") == [10, 30]
    assert budgets_behind(fast, slow, 60, axis="wall_seconds") == [60]
    assert budgets_behind(fast, slow, 59, axis="wall_seconds") == []
