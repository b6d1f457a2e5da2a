"""Where a new study starts, chosen from the data: the networks its family declares (``StartPoints``) as Optuna
parameters, clipped into the space file's ranges.

Small images start from the plain family (the recipe's Model 1 and its halvings, built small); images of 32
pixels and more from the strided family's smallest sensible CNNs; each family module says why. The first
trials then already span the model sizes a phone cares about, and the sampler and early stopping work against
a real front.

Smallest first: a front is covered from its cheap end in the first seconds, and the larger points then meet a
front that early stopping can prune against. Largest first, the study spent its first minutes on the
14,900-parameter Model 1 while random search's first (smaller) draws were already ahead at equal compute (the
benchmark, ``python -m bench``, measures both; BENCHMARKS.md).
"""

from __future__ import annotations

import math
from typing import Any

from objectives.architectures.registry import Family, family
from spaces.space import Choice, Parameter, SearchSpace

START_LEARNING_RATE = 0.01  # inside the default range 0.002-0.03; a high peak suits the 2-30 filters built small


def trial_params(name: str, size: int, generator: int, values: dict[str, Any]) -> dict[str, Any]:
    """A network of family ``name`` as the Optuna parameters ``spaces.suggest`` samples."""
    return {"image_size": size, "generator": generator, "family": name,
            **{f"{name}.{parameter}": value for parameter, value in values.items()}}


def _clip(parameter: Parameter, value):
    """The value of ``parameter`` nearest ``value`` (a word not among the choices: the first choice)."""
    if isinstance(parameter, Choice):
        if isinstance(value, str):
            return value if value in parameter.choices else parameter.choices[0]
        return min(parameter.choices, key=lambda choice: abs(choice - value))
    return max(parameter.low, min(parameter.high, value))


def _smallest(parameter: Parameter):
    return parameter.choices[0] if isinstance(parameter, Choice) else parameter.low


def starting_family(space: SearchSpace) -> Family | None:
    """The family of the space whose start points begin at the highest size the space's smallest image reaches."""
    smallest = min(space.image_sizes)
    candidates = [family(name) for name in space.families]
    candidates = [found for found in candidates if found.start is not None and found.start.from_size <= smallest]
    return max(candidates, key=lambda found: found.start.from_size, default=None)


def _sizes_near(space: SearchSpace, targets: tuple[int, ...]) -> list[int]:
    """The space's sizes nearest each target (in log scale), each once, cheapest first; none: its smallest."""
    if not targets:
        return [min(space.image_sizes)]
    nearest = {min(space.image_sizes, key=lambda size: abs(math.log(size / target))) for target in targets}
    return sorted(nearest)


def start_points(space: SearchSpace) -> list[dict]:
    """The starting family's networks at each of its sizes, each once, in the order the family gives them."""
    chosen = starting_family(space)
    if chosen is None:
        return []
    ranges = space.families[chosen.name]
    generator = 1 if 1 in space.generators else min(space.generators)
    points: list[dict] = []
    for network in chosen.start.networks:
        values = {name: _clip(parameter, network[name]) if name in network else _smallest(parameter)
                  for name, parameter in ranges.items()}
        for size in _sizes_near(space, chosen.start.sizes):
            params = trial_params(chosen.name, size, generator, values)
            if space.learning_rate is not None:
                params["learning_rate"] = _clip(space.learning_rate, START_LEARNING_RATE)
            if params not in points:
                points.append(params)
    return points
