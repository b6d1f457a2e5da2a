"""The samplers a study may use; all handle two objectives. Large image sizes open as the front stalls."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import optuna
from optuna.distributions import BaseDistribution
from optuna.trial import FrozenTrial, TrialState

from objectives.errors import SettingError
from spaces.image_sizes import FREE_SIZE, unlocked_sizes

SAMPLERS = ("tpe", "nsga2", "nsga3", "random", "qmc")
DEFAULT_SAMPLER = "tpe"
SIZE = "image_size"  # the parameter spaces.suggest samples the size under


def make_sampler(name: str, seed: int, sizes: Sequence[int] = ()) -> optuna.samplers.BaseSampler:
    """TPE by default: it models the space after ten trials, where NSGA-II samples at random
    for its whole first population (50 trials), longer than a small study lasts. With sizes above
    ``FREE_SIZE`` the sampler climbs them as they pay (``SizeLadder``)."""
    sampler = _sampler(name, seed)
    return SizeLadder(sampler, sizes) if any(size > FREE_SIZE for size in sizes) else sampler


def _sampler(name: str, seed: int) -> optuna.samplers.BaseSampler:
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


class SizeLadder(optuna.samplers.BaseSampler):
    """Another sampler, with its image sizes held to those ``spaces.image_sizes.unlocked_sizes`` has opened.

    A 256 px trial costs 64 times a 32 px one, and TPE draws sizes as if they cost the same: in a short
    study of 512 px photographs, two trials at 200-300 px took most of its time. A size the
    wrapped sampler draws above the open ones becomes the largest open size; the sampler still learns
    from every trial as it ran. The rule reads only the study's trials, so every worker applies the same."""

    def __init__(self, sampler: optuna.samplers.BaseSampler, sizes: Sequence[int]):
        self.sampler, self.sizes = sampler, tuple(sorted(sizes))

    def open_sizes(self, study: optuna.Study) -> tuple[int, ...]:
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        return unlocked_sizes(self.sizes, [(t.values[0], t.values[1]) for t in complete])

    def _held(self, study: optuna.Study, size: Any) -> Any:
        allowed = self.open_sizes(study)
        return size if size in allowed or size not in self.sizes else max(allowed)

    def infer_relative_search_space(self, study: optuna.Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return self.sampler.infer_relative_search_space(study, trial)

    def sample_relative(self, study: optuna.Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        params = self.sampler.sample_relative(study, trial, search_space)
        if SIZE in params:
            params[SIZE] = self._held(study, params[SIZE])
        return params

    def sample_independent(self, study: optuna.Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        value = self.sampler.sample_independent(study, trial, param_name, param_distribution)
        return self._held(study, value) if param_name == SIZE else value

    def before_trial(self, study: optuna.Study, trial: FrozenTrial) -> None:
        self.sampler.before_trial(study, trial)

    def after_trial(self, study: optuna.Study, trial: FrozenTrial, state: TrialState,
                    values: Sequence[float] | None) -> None:
        self.sampler.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        self.sampler.reseed_rng()
