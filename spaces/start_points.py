"""Where a new study starts, chosen from the data: small images get the recipe's Model 1 and its successive
halvings; images of ``STRIDED_FROM`` pixels and more get the smallest sensible strided CNNs.

Small images (the 8 px digits, 14-28 px Fashion-MNIST):

The recipe's users start from the paper's Model 1 (Conv2D 30 -> MaxPool -> Dense 50) and shrink it by
hand. A new study enqueues Model 1's filters halved down to one (30, 15, 8, 4, 2, 1; one conv block,
generator 1, the smallest image size, a learning rate of 0.01, all clipped into the space), so the first
trials already span the model sizes a phone cares about; the sampler and early stopping then work
against a real front.

The halvings are built the way small networks work best: same padding and no hidden Dense layer (the
softmax reads the pooled features). Halving the paper's Dense layer too makes a bottleneck narrower than
the classes: on 8x8 digits, 4 filters and Dense 6 reached 0.72 CV accuracy and 2 filters and Dense 4
0.14, where 2 filters with the softmax alone reach 0.965, 1 filter 0.914 (198 parameters), and 30 filters
built small (5,650 parameters) 0.987 against the paper's Model 1 (14,900) at 0.984. Model 1 as the paper
built it comes last, as the recipe's reference point.

Below them all comes the very bottom of the plain family: 1 filter with valid padding, which leaves the
softmax a quarter of the features. On 8x8 digits that is 128 parameters at 0.83-0.85 CV accuracy (40
epochs, rate 0.01), where the recipe's 15-epoch grid reached 0.19-0.51 at 58-118 parameters. Without it a
study's smallest network was often the 198-parameter one, and the front's cheapest end was left to chance.

Smallest first: a front is covered from its cheap end in the first seconds, and the larger points then
meet a front that early stopping can prune against. Largest first, the study spent its first minutes on
the 14,900-parameter Model 1 while random search's first (smaller) draws were already ahead at equal
compute (the benchmark, BENCHMARKS.md, measures both).
"""

from __future__ import annotations

import math

from spaces.space import Choice, Parameter, SearchSpace

MODEL_1 = {"filters": 30, "neurons": 50}  # the paper's Model 1 (its Table 9): Conv2D 30 -> MaxPool -> Dense 50
HALVINGS = 6  # 30, 15, 8, 4, 2 and 1 filters


START_LEARNING_RATE = 0.01  # inside the default range 0.002-0.03; measured best for 2-30 filters built small
SMALL = {"dense_layers": 0, "padding": "same", "head": "flatten"}  # how the halvings are built
BOTTOM = {**SMALL, "padding": "valid"}  # the 1-filter halving once more, as small as a plain network gets
STRIDED_FROM = 32  # smallest image size at which a study starts from strided CNNs instead of plain ones
# The fixed strided CNN did best at 64-128 px on 512 px photographs, but a 128 px trial costs 4 times a 64 px
# one (123 s against 38 s for 4/4/4 on 384 px photographs, 5 folds): a study starts at 32 and 64 px, and the
# size ladder (spaces.image_sizes) opens 96 px and up once the cheaper sizes stop paying.
STRIDED_SIZES = (32, 64)
STRIDED_WIDTHS = ((4, 1), (8, 2))  # (filters, growth): 4/4/4 (about 500 parameters), 8/16/32 (about 6,000)
STRIDED_BLOCKS = 3


def plain_params(size: int, generator: int, filters: int, neurons: int) -> dict:
    """The Optuna parameters (as ``spaces.suggest`` names them) of a one-block plain CNN as the paper built it
    (valid padding, Flatten)."""
    return {"image_size": size, "generator": generator, "family": "plain", "plain.conv_blocks": 1,
            "plain.filters": filters, "plain.dense_layers": 1, "plain.neurons": neurons,
            "plain.padding": "valid", "plain.head": "flatten"}


def _clip(parameter: Parameter, value):
    """The value of ``parameter`` nearest ``value`` (a word not among the choices: the first choice)."""
    if isinstance(parameter, Choice):
        if isinstance(value, str):
            return value if value in parameter.choices else parameter.choices[0]
        return min(parameter.choices, key=lambda choice: abs(choice - value))
    return max(parameter.low, min(parameter.high, value))


def start_points(space: SearchSpace, count: int = HALVINGS) -> list[dict]:
    """Small images: the plain family's halvings (``plain_points``); from ``STRIDED_FROM`` pixels, the strided
    family's (``strided_points``), when the space has that family."""
    if min(space.image_sizes) >= STRIDED_FROM and "strided" in space.families:
        return strided_points(space)
    return plain_points(space, count)


def _sizes_near(space: SearchSpace, targets: tuple[int, ...]) -> list[int]:
    """The space's sizes nearest each target (in log scale), each once, cheapest first."""
    nearest = {min(space.image_sizes, key=lambda size: abs(math.log(size / target))) for target in targets}
    return sorted(nearest)


def strided_points(space: SearchSpace) -> list[dict]:
    """The smallest sensible strided CNNs at the two sizes nearest 32 and 64 px, three blocks each: narrow
    (4/4/4, 459 parameters for 3 classes) then wider (8/16/32, 6,299), smallest first. A fixed CNN built
    that way scored 0.84 at 471 parameters and 0.987 at 6,299 (64 px) on 512 px texture photographs, where
    the plain start points scored 0.33-0.43."""
    strided = space.families["strided"]
    generator = 1 if 1 in space.generators else min(space.generators)
    points: list[dict] = []
    for filters, growth in STRIDED_WIDTHS:
        for size in _sizes_near(space, STRIDED_SIZES):
            values = {"filters": filters, "growth": growth, "blocks": STRIDED_BLOCKS, "dense_layers": 0, "neurons": 32}
            params = {"image_size": size, "generator": generator, "family": "strided"}
            params.update({f"strided.{name}": _clip(parameter, values[name]) for name, parameter in strided.items()})
            if space.learning_rate is not None:
                params["learning_rate"] = _clip(space.learning_rate, START_LEARNING_RATE)
            if params not in points:
                points.append(params)
    return points


def plain_points(space: SearchSpace, count: int = HALVINGS) -> list[dict]:
    """The plain family's bottom, Model 1's halvings built small, smallest first, then Model 1 as the paper
    built it (none if the space has no plain family)."""
    plain = space.families.get("plain")
    if plain is None:
        return []
    generator = 1 if 1 in space.generators else min(space.generators)
    halvings = [(max(1, round(MODEL_1["filters"] / 2**k)), max(1, round(MODEL_1["neurons"] / 2**k)), SMALL)
                for k in reversed(range(count))]
    bottom = (halvings[0][0], halvings[0][1], BOTTOM)
    points: list[dict] = []
    for filters, neurons, built in [bottom] + halvings + [(MODEL_1["filters"], MODEL_1["neurons"], {})]:
        params = plain_params(min(space.image_sizes), generator, _clip(plain["filters"], filters),
                              _clip(plain["neurons"], neurons))
        params.update({f"plain.{name}": value for name, value in built.items()})
        for name in ("conv_blocks", "dense_layers", "padding", "head"):
            params[f"plain.{name}"] = _clip(plain[name], params[f"plain.{name}"])
        if space.learning_rate is not None:
            params["learning_rate"] = _clip(space.learning_rate, START_LEARNING_RATE)
        if params not in points:
            points.append(params)
    return points
