"""Trial -> configuration: the only place an Optuna trial is read.

Parameter names are prefixed by the family (``plain.filters``) so each family keeps its own ranges and
the samplers never mix two meanings of one name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import optuna

from objectives.config import ArchitectureConfig, TrainingConfig, TrialConfig
from spaces.space import Choice, FloatRange, Parameter, SearchSpace


def _suggest(trial: optuna.Trial, name: str, parameter: Parameter):
    if isinstance(parameter, Choice):
        return trial.suggest_categorical(name, list(parameter.choices))
    if isinstance(parameter, FloatRange):
        return trial.suggest_float(name, parameter.low, parameter.high, log=parameter.log)
    return trial.suggest_int(name, parameter.low, parameter.high, log=parameter.log)


def _divisible(value: float, by: int = 8) -> int:
    """Round channels to a multiple of ``by`` as MobileNet does (never below ``by``)."""
    return max(by, int(value + by / 2) // by * by)


def _plain(v: dict) -> ArchitectureConfig:
    """``dense_layers`` 0 has no hidden layer: ``neurons`` is then sampled but unused (the samplers need a
    fixed set of names per family)."""
    return ArchitectureConfig("plain", (v["filters"],) * v["conv_blocks"], (v["neurons"],) * v["dense_layers"],
                              padding=v["padding"], head=v["head"])


def _mobilenet(v: dict) -> ArchitectureConfig:
    alpha = v["width_multiplier"]
    filters = (_divisible(32 * alpha),) + tuple(_divisible(64 * alpha * 2**i) for i in range(v["blocks"]))
    return ArchitectureConfig("mobilenet", filters, (v["neurons"],))


def _doubling(v: dict) -> tuple[int, ...]:
    return (v["filters"],) + tuple(v["filters"] * 2 ** (i + 1) for i in range(v["blocks"]))


def _mobilenetv2(v: dict) -> ArchitectureConfig:
    return ArchitectureConfig("mobilenetv2", _doubling(v), (v["neurons"],), expansion=v["expansion"])


def _shufflenet(v: dict) -> ArchitectureConfig:
    return ArchitectureConfig("shufflenet", _doubling(v), (v["neurons"],), groups=v["groups"])


ARCHITECTURES: dict[str, Callable[[dict], ArchitectureConfig]] = {
    "plain": _plain, "mobilenet": _mobilenet, "mobilenetv2": _mobilenetv2, "shufflenet": _shufflenet,
}


def suggest_config(trial: optuna.Trial, space: SearchSpace, training: TrainingConfig) -> TrialConfig:
    """Sample one configuration of ``space`` for ``trial``."""
    if space.sizes_from_data:
        raise ValueError("the space's image sizes come from the data: resolve them with space.for_native_size() first")
    size = trial.suggest_categorical("image_size", list(space.image_sizes))
    generator = trial.suggest_categorical("generator", list(space.generators))
    family = trial.suggest_categorical("family", list(space.families))
    values = {name: _suggest(trial, f"{family}.{name}", p) for name, p in space.families[family].items()}
    if space.learning_rate is not None:
        training = replace(training, learning_rate=_suggest(trial, "learning_rate", space.learning_rate))
    return TrialConfig(size, generator, ARCHITECTURES[family](values), training)
