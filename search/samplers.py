"""The samplers a study may use; all handle two objectives."""

from __future__ import annotations

import warnings

import optuna

from objectives.errors import SettingError

SAMPLERS = ("tpe", "nsga2", "nsga3", "random", "qmc")
DEFAULT_SAMPLER = "tpe"


def make_sampler(name: str, seed: int) -> optuna.samplers.BaseSampler:
    """TPE by default: it models the space after ten trials, where NSGA-II samples at random
    for its whole first population (50 trials), longer than a small study lasts."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if name == "tpe":
            return optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True, n_startup_trials=10)
        if name == "nsga2":
            return optuna.samplers.NSGAIISampler(seed=seed, population_size=20)
        if name == "nsga3":
            return optuna.samplers.NSGAIIISampler(seed=seed, population_size=20)
        if name == "random":
            return optuna.samplers.RandomSampler(seed=seed)
        if name == "qmc":
            return optuna.samplers.QMCSampler(seed=seed)
    raise SettingError(f"--sampler (SAMPLER): one of {', '.join(SAMPLERS)} must be given, but got {name!r}; "
                       f"pass one of those (default {DEFAULT_SAMPLER})")
