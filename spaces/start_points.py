"""Where a new study starts: the recipe's Model 1 and its successive halvings, before the sampler takes over.

The recipe's users start from the paper's Model 1 (Conv2D 30 -> MaxPool -> Dense 50) and shrink it by
hand. A new study enqueues that model and a few halvings of its filters and neurons (one conv block,
generator 1, the smallest image size, all clipped into the space), so the first trials already span the
model sizes a phone cares about; the sampler and early stopping then work against a real front. The
benchmark (BENCHMARKS.md) measures the search with these start points.
"""

from __future__ import annotations

from spaces.space import Choice, IntRange, Parameter, SearchSpace

MODEL_1 = {"filters": 30, "neurons": 50}  # RECIPE.md, Table 9
HALVINGS = 5


def plain_params(size: int, generator: int, filters: int, neurons: int) -> dict:
    """The Optuna parameters (as ``spaces.suggest`` names them) of a one-block plain CNN."""
    return {"image_size": size, "generator": generator, "family": "plain", "plain.conv_blocks": 1,
            "plain.filters": filters, "plain.dense_layers": 1, "plain.neurons": neurons}


def _clip(parameter: Parameter, value: int):
    if isinstance(parameter, Choice):
        return min(parameter.choices, key=lambda choice: abs(choice - value))
    assert isinstance(parameter, IntRange)
    return max(parameter.low, min(parameter.high, value))


def start_points(space: SearchSpace, count: int = HALVINGS) -> list[dict]:
    """Model 1 and its halvings inside ``space`` (none if the space has no plain family)."""
    plain = space.families.get("plain")
    if plain is None:
        return []
    generator = 1 if 1 in space.generators else min(space.generators)
    points: list[dict] = []
    for k in range(count):
        params = plain_params(min(space.image_sizes), generator, _clip(plain["filters"], round(MODEL_1["filters"] / 2**k)),
                              _clip(plain["neurons"], round(MODEL_1["neurons"] / 2**k)))
        params["plain.conv_blocks"] = _clip(plain["conv_blocks"], 1)
        params["plain.dense_layers"] = _clip(plain["dense_layers"], 1)
        if params not in points:
            points.append(params)
    return points
