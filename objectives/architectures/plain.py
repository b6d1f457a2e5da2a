"""The paper's plain CNNs: (Conv2D 3x3 + MaxPool 2x2) blocks, then Dense layers.

Two options make them good when tiny, both searchable and both off in the paper's own models:
``same`` padding keeps the border pixels (a valid 3x3 convolution of an 8x8 image loses 20 of its 64
pixels), and an ``average`` head (global average pooling) feeds the Dense layers one number per filter
instead of every pixel of every filter. With no hidden Dense layer (``neurons=()``) the softmax reads the
features directly: on 8x8 digits, 2 filters, same padding, Flatten and the softmax alone (386 parameters)
reached 0.968 CV accuracy.
"""

from __future__ import annotations

from typing import Any

from objectives.architectures.blocks import pooled_head
from objectives.architectures.registry import Family, register_family
from objectives.config import ArchitectureConfig
from objectives.errors import InfeasibleConfiguration

PAPER_OPTIONS = ("valid", "flatten")  # padding and head of the paper's own models


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


register_family(Family(
    name="plain",
    parameters=("conv_blocks", "filters", "dense_layers", "neurons", "padding", "head"),
    configure=configure_plain,
    body=plain_body,
    colour="#1f77b4",
    # a space file written before the options searches the paper's models only
    optional={"padding": (PAPER_OPTIONS[0],), "head": (PAPER_OPTIONS[1],)},
    settings=("padding", "head"),
    label=plain_options,
    check=check_plain,
))
