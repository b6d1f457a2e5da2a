"""The study's Pareto front read once without copies is Optuna's own ``best_trials``."""

from __future__ import annotations

import numpy as np
import optuna
from optuna.distributions import IntDistribution
from optuna.trial import TrialState, create_trial

from search.study import front_order, front_trials, pareto_front


def test_the_front_is_optunas_best_trials_with_constraints_ties_and_unfinished_trials():
    rng = np.random.default_rng(0)
    study = optuna.create_study(directions=["maximize", "minimize"])
    trials = []
    for i in range(300):
        accuracy, params = float(rng.choice(np.linspace(0.5, 1.0, 11))), float(rng.choice([100, 200, 400, 800, 1600]))
        state = TrialState.COMPLETE if i % 7 else TrialState.FAIL
        trial = create_trial(state=state, values=[accuracy, params] if state == TrialState.COMPLETE else None,
                             params={"x": i}, distributions={"x": IntDistribution(0, 1000)})
        if i % 5 == 0:  # over a device budget (> 0: violated), or within it
            trial.set_constraint("max_params", 1.0 if i % 10 == 0 else -1.0)
        trials.append(trial)
    trials.append(create_trial(values=[1.0, 50.0], params={"x": 999}, distributions={"x": IntDistribution(0, 1000)}))
    trials[-1].set_constraint("max_params", 2.0)  # would dominate every trial, but is infeasible
    study.add_trials(trials)
    expected = [t.number for t in study.best_trials]
    assert [t.number for t in pareto_front(study)] == expected and len(expected) >= 3 and 300 not in expected
    assert [t.number for t in front_trials(study)] == \
        [t.number for t in sorted(study.best_trials, key=lambda t: front_order(*t.values))]


def test_identical_points_are_all_on_the_front_and_an_empty_study_has_none():
    study = optuna.create_study(directions=["maximize", "minimize"])
    assert pareto_front(study) == []
    for values in ([0.9, 300.0], [0.9, 300.0], [0.8, 300.0], [0.95, 500.0]):
        study.add_trial(create_trial(values=values))
    assert [t.number for t in pareto_front(study)] == [t.number for t in study.best_trials] == [0, 1, 3]
