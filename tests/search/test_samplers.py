"""Every sampler the command line offers builds; an unknown name is one clear line, not a traceback."""

import optuna
import pytest

from objectives.errors import SettingError
from search.samplers import SAMPLERS, make_sampler


@pytest.mark.parametrize("name", SAMPLERS)
def test_every_offered_sampler_builds_and_handles_two_objectives(name):
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=make_sampler(name, seed=0))
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_int("n", 1, 9)), n_trials=3)
    assert len(study.trials) == 3


def test_an_unknown_sampler_is_refused_with_the_allowed_names():
    with pytest.raises(SettingError, match=r"--sampler \(SAMPLER\): one of tpe, nsga2, nsga3, random, qmc must be "
                                           r"given, but got 'bogus'; pass one of those \(default tpe\)"):
        make_sampler("bogus", seed=0)
