"""The paper's plain CNNs: (Conv2D 3x3 + MaxPool 2x2) blocks, then Dense layers.

Two options make them good when tiny, both searchable and both off in the paper's own models:
``same`` padding keeps the border pixels (a valid 3x3 convolution of an 8x8 image loses 20 of its 64
pixels), and an ``average`` head (global average pooling) feeds the Dense layers one number per filter
instead of every pixel of every filter. With no hidden Dense layer (``neurons=()``) the softmax reads the
features directly: on 8x8 digits, 2 filters, same padding, Flatten and the softmax alone (386 parameters)
reached 0.968 CV accuracy.

A study of small images starts from the paper's Model 1 (Conv2D 30 -> MaxPool -> Dense 50), which the
recipe's users shrink by hand, halved down to one filter (30, 15, 8, 4, 2, 1) so the first trials already span
the model sizes a phone cares about. The halvings are built the way small networks work best: same padding and
no hidden Dense layer. Halving the Dense layer too makes a bottleneck narrower than the classes: on 8x8
digits, 4 filters and Dense 6 reached 0.72 CV accuracy and 2 filters and Dense 4 0.14, where 2 filters with
the softmax alone reach 0.965, 1 filter 0.914 (198 parameters), and 30 filters built small (5,650
parameters) 0.987 against the paper's Model 1 (14,900) at 0.984. Model 1 as the paper built it comes last,
as the recipe's reference point. Below them all comes the family's very bottom: 1 filter with valid padding,
a quarter of the features for the softmax, 128 parameters at 0.83-0.85 CV accuracy on 8x8 digits, where the
recipe's 15-epoch grid reached 0.19-0.51 at 58-118 parameters; without it a study's cheapest network was often
the 198-parameter one, and the front's cheap end was left to chance.
"""

from __future__ import annotations

from typing import Any

from objectives.architectures.blocks import pooled_head
from objectives.architectures.registry import (DENSE_LAYERS, FILTERS, NEURONS, Family, Limit, StartPoints, Words,
                                               register_family)
from objectives.config import HEADS, PADDINGS, ArchitectureConfig
from objectives.errors import InfeasibleConfiguration

PAPER_OPTIONS = ("valid", "flatten")  # padding and head of the paper's own models
MODEL_1 = (30, 50)  # the paper's Model 1 (its Table 9): Conv2D 30 -> MaxPool -> Dense 50
HALVINGS = 6  # 30, 15, 8, 4, 2 and 1 filters
SMALL = {"dense_layers": 0, "padding": "same", "head": "flatten"}  # how the halvings are built


def paper_network(filters: int, neurons: int) -> dict[str, Any]:
    """The parameters of a one-block plain CNN as the paper built it (valid padding, Flatten, one Dense)."""
    return {"conv_blocks": 1, "filters": filters, "dense_layers": 1, "neurons": neurons, "padding": "valid",
            "head": "flatten"}


def _start_networks() -> tuple[dict[str, Any], ...]:
    """The bottom (1 filter, valid padding), Model 1's halvings built small, smallest first, then Model 1."""
    halvings = [{**paper_network(max(1, round(MODEL_1[0] / 2**k)), max(1, round(MODEL_1[1] / 2**k))), **SMALL}
                for k in reversed(range(HALVINGS))]
    return ({**halvings[0], "padding": "valid"}, *halvings, paper_network(*MODEL_1))


def configure_plain(values: dict[str, Any]) -> ArchitectureConfig:
    """``dense_layers`` 0 has no hidden layer: ``neurons`` is then sampled but unused (the samplers need a
    fixed set of names per family)."""
    return ArchitectureConfig("plain", (values["filters"],) * values["conv_blocks"],
                              (values["neurons"],) * values["dense_layers"], padding=values["padding"],
                              head=values["head"])


def plain_options(architecture: ArchitectureConfig) -> str:
    """The options that differ from the paper's valid padding and Flatten ("same/flatten"), or ""."""
    options = (architecture.padding, architecture.head)
    return "" if options == PAPER_OPTIONS else "/".join(options)


def check_plain(architecture: ArchitectureConfig, image_size: int) -> None:
    """Each block's valid 3x3 convolution takes 2 pixels (same takes none) and its pooling halves what is left."""
    side = image_size
    for block in range(len(architecture.filters)):
        side = (side - (2 if architecture.padding == "valid" else 0)) // 2
        if side < 1:
            raise InfeasibleConfiguration(
                f"plain network with {len(architecture.filters)} conv+pool blocks ({architecture.padding} padding) "
                f"cannot run on {image_size}x{image_size} images: nothing is left after block {block + 1}; "
                "use fewer blocks, same padding or a larger image size")


def plain_body(x, architecture: ArchitectureConfig):
    import keras

    for i, filters in enumerate(architecture.filters):
        x = keras.layers.Conv2D(filters, 3, padding=architecture.padding, activation="relu", name=f"conv_{i + 1}")(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool_{i + 1}")(x)
    return pooled_head(x) if architecture.head == "average" else keras.layers.Flatten(name="flatten")(x)


PLAIN = register_family(Family(
    name="plain",
    parameters={"conv_blocks": Limit(1, 6),  # each block halves the image: 6 already needs 64 px or more
                "filters": FILTERS, "dense_layers": DENSE_LAYERS, "neurons": NEURONS,
                "padding": Words(PADDINGS), "head": Words(HEADS)},
    configure=configure_plain,
    body=plain_body,
    colour="#1f77b4",
    # a space file written before the options searches the paper's models only
    optional={"padding": (PAPER_OPTIONS[0],), "head": (PAPER_OPTIONS[1],)},
    settings=("padding", "head"),
    label=plain_options,
    check=check_plain,
    start=StartPoints(_start_networks()),
))
