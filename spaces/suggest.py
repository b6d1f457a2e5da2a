"""Trial -> configuration: the only place an Optuna trial is read.

Parameter names are prefixed by the family (``plain.filters``) so each family keeps its own ranges and
the samplers never mix two meanings of one name.
"""

from __future__ import annotations

from dataclasses import replace

import optuna

from objectives.architectures.registry import family
from objectives.config import TrainingConfig, TrialConfig
from spaces.space import Choice, FloatRange, Parameter, SearchSpace


def _suggest(trial: optuna.Trial, name: str, parameter: Parameter):
    if isinstance(parameter, Choice):
        return trial.suggest_categorical(name, list(parameter.choices))
    if isinstance(parameter, FloatRange):
        return trial.suggest_float(name, parameter.low, parameter.high, log=parameter.log)
    return trial.suggest_int(name, parameter.low, parameter.high, log=parameter.log)


def suggest_config(trial: optuna.Trial, space: SearchSpace, training: TrainingConfig) -> TrialConfig:
    """Sample one configuration of ``space`` for ``trial``."""
    if space.sizes_from_data:
        raise ValueError("the space's image sizes come from the data: resolve them with space.for_native_size() first")
    size = trial.suggest_categorical("image_size", list(space.image_sizes))
    generator = trial.suggest_categorical("generator", list(space.generators))
    name = trial.suggest_categorical("family", list(space.families))
    values = {key: _suggest(trial, f"{name}.{key}", p) for key, p in space.families[name].items()}
    if space.learning_rate is not None:
        training = replace(training, learning_rate=_suggest(trial, "learning_rate", space.learning_rate))
    return TrialConfig(size, generator, family(name).configure(values), training)
