"""The paper's plain CNNs: (Conv2D 3x3 + MaxPool 2x2) blocks, then Dense layers."""

from __future__ import annotations

import keras

from objectives.architectures.blocks import InfeasibleConfiguration
from objectives.config import ArchitectureConfig


def check_plain(architecture: ArchitectureConfig, image_size: int) -> None:
    """Each block's valid 3x3 convolution takes 2 pixels and its pooling halves what is left."""
    side = image_size
    for block in range(len(architecture.filters)):
        side = (side - 2) // 2
        if side < 1:
            raise InfeasibleConfiguration(
                f"plain network with {len(architecture.filters)} conv+pool blocks cannot run on {image_size}x{image_size} "
                f"images: nothing is left after block {block + 1}; use fewer blocks or a larger image size")


def plain_body(x, architecture: ArchitectureConfig):
    for i, filters in enumerate(architecture.filters):
        x = keras.layers.Conv2D(filters, 3, activation="relu", name=f"conv_{i + 1}")(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool_{i + 1}")(x)
    return keras.layers.Flatten(name="flatten")(x)
