"""Building blocks shared by the lightweight families.

Keras is imported inside the blocks: the family modules import this one while they register, which
must not load Keras (see ``objectives.architectures.registry``).
"""

from __future__ import annotations

from typing import Any

# Batch-norm statistics must settle within a few epochs on a few hundred images; Keras' default
# momentum (0.99) leaves them near their initial values, and the model then scores chance at inference.
BN_MOMENTUM = 0.9


def doubling_filters(values: dict[str, Any]) -> tuple[int, ...]:
    """A stem of ``filters`` channels, then ``blocks`` stages that each double the channels."""
    return (values["filters"],) + tuple(values["filters"] * 2 ** (i + 1) for i in range(values["blocks"]))


def conv_bn(x, filters: int, kernel: int, strides: int, name: str, activation: str | None = "relu"):
    import keras

    x = keras.layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(x)
    return keras.layers.Activation(activation, name=f"{name}_{activation}")(x) if activation else x


def depthwise_bn(x, strides: int, name: str, activation: str | None = "relu"):
    import keras

    x = keras.layers.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False, name=f"{name}_dw")(x)
    x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_dw_bn")(x)
    return keras.layers.Activation(activation, name=f"{name}_dw_{activation}")(x) if activation else x


def pooled_head(x):
    import keras

    return keras.layers.GlobalAveragePooling2D(name="global_pool")(x)
