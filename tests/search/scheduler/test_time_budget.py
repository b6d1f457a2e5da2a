"""The wall-time budget: durations, the trial estimate, and a real study stopped at its deadline."""

import time

import optuna
import pytest
from optuna.trial import TrialState, create_trial

from objectives.config import TrainingConfig
from objectives.errors import SettingError
from search.runner.run import RunSettings, run_study
from search.scheduler.time_budget import Deadline, TimeBudget, estimate_seconds, parse_duration
from search.study import TrialAttr, retry_of
from tests.conftest import tiny_space


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("10m", 600), ("1h", 3600), ("1h30m", 5400),
                                           ("2m30s", 150), ("45", 45), (" 10M ", 600)])
def test_durations_read_as_people_write_them(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10x", "m", "5s", "-10m", "10 m", "1e3"])
def test_a_bad_duration_names_the_setting_and_an_example(text):
    with pytest.raises(SettingError, match=r"--time \(TIME\): a duration of at least 10 s such as 90s"):
        parse_duration(text)


def _measured(macs: int, seconds: float, epoch_images: int):
    return create_trial(values=[0.5, 100], user_attrs={TrialAttr.MACS: macs, TrialAttr.TRAINING_SECONDS: seconds,
                                                        TrialAttr.EPOCH_IMAGES: epoch_images})


def test_the_estimate_adds_compute_to_the_nearest_trials_fixed_cost():
    # 1k MACs: 1e-4 s an image-epoch; 100k MACs: 3e-4 s. Slope 2e-4 / 99k per MAC.
    trials = [_measured(1_000, 10.0, 100_000), _measured(100_000, 30.0, 100_000)]
    assert estimate_seconds([], 5_000, 1_000) is None
    assert estimate_seconds(trials, 500, 1_000) == pytest.approx(0.1)  # not scaled down below its fixed cost
    slope = 2e-4 / 99_000
    assert estimate_seconds(trials, 200_000, 1_000) == pytest.approx((3e-4 + slope * 100_000) * 1_000)


def test_a_trial_longer_than_the_time_left_is_not_trained():
    study = optuna.create_study(directions=["maximize", "minimize"])
    study.add_trial(_measured(1_000, 10.0, 100_000))
    clock = TimeBudget(Deadline(time.time() + 60, 600))
    assert clock.too_long(study, 1_000, 100_000) is None  # 10 s of 60
    reason = clock.too_long(study, 1_000, 1_000_000)  # 100 s
    assert reason.startswith("not trained: estimated 1m40s of training (1,000 MACs per image), but ")


def test_the_deadline_stops_the_trial_under_way_and_queues_it_again(small_digits, tmp_path, capsys):
    """5,000 epochs a fold cannot end in 10 s: the first trial is stopped at an epoch's end, failed with the
    reason and queued again; nothing is left RUNNING."""
    settings = RunSettings(study="t", storage=f"sqlite:///{tmp_path}/optuna.db", trials=3, data_dir=small_digits,
                           space=tiny_space(tmp_path), training=TrainingConfig(epochs=5000, folds=2),
                           cache_root=tmp_path / "cache", mlflow=False, time_budget=10)
    started = time.perf_counter()
    study = run_study(settings)
    assert time.perf_counter() - started < 40
    states = [t.state for t in study.get_trials()]
    assert TrialState.RUNNING not in states
    stopped = [t for t in study.get_trials() if t.state == TrialState.FAIL]
    assert len(stopped) == 1 and "time budget ran out" in stopped[0].user_attrs[TrialAttr.FAIL_REASON]
    waiting = study.get_trials(states=(TrialState.WAITING,))
    assert [retry_of(t) for t in waiting if retry_of(t) is not None] == [stopped[0].number]
    assert "time budget of 10s reached during trial 0, which is queued again" in capsys.readouterr().out
    assert Deadline.load(study).seconds == 10
    resumed = run_study(RunSettings(**{**settings.__dict__, "time_budget": None, "prepare_only": True}))
    assert Deadline.load(resumed) is None  # a session without a budget does not inherit the last one's
