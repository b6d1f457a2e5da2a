"""Every sampler the command line offers builds; an unknown name is one clear line, not a traceback."""

import optuna
import pytest

from objectives.errors import SettingError
from search.scheduler.samplers import SAMPLERS, make_sampler


@pytest.mark.parametrize("name", SAMPLERS)
def test_every_offered_sampler_builds_and_handles_two_objectives(name):
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=make_sampler(name, seed=0))
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_int("n", 1, 9)), n_trials=3)
    assert len(study.trials) == 3


def test_an_unknown_sampler_is_refused_with_the_allowed_names():
    with pytest.raises(SettingError, match=r"--sampler \(SAMPLER\): one of tpe, nsga2, nsga3, random, qmc must be "
                                           r"given, but got 'bogus'; pass one of those \(default tpe\)"):
        make_sampler("bogus", seed=0)


@pytest.mark.parametrize("name", ["tpe", "random", "nsga2"])
def test_large_sizes_are_drawn_only_once_the_cheaper_ones_stop_paying(name):
    """Every trial gives the same result, so the front stalls at once: 96 px opens after 3 trials at most
    (32-64 px are open from the start) and 128 px after 3 more; TPE's own draws pass through the ladder."""
    sampler = make_sampler(name, seed=0, sizes=(32, 48, 64, 96, 128))
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
    drawn = []

    def objective(trial):
        drawn.append(trial.suggest_categorical("image_size", [32, 48, 64, 96, 128]))
        return 0.5, 100

    study.optimize(objective, n_trials=30)
    assert set(drawn[:4]) <= {32, 48, 64}
    assert set(drawn[:7]) <= {32, 48, 64, 96}
    assert sampler.open_sizes(study) == (32, 48, 64, 96, 128)


def test_small_images_get_the_sampler_itself():
    assert isinstance(make_sampler("tpe", seed=0, sizes=(14, 21, 28)), optuna.samplers.TPESampler)
