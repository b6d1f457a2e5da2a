"""The Keras layers and units ShuffleNet is built from, apart from ``shufflenet`` so that registering the
family does not load Keras (the layers must subclass a Keras class where they are defined)."""

from __future__ import annotations

import keras

from objectives.architectures.blocks import BN_MOMENTUM, depthwise_bn


@keras.saving.register_keras_serializable(package="objectives")
class ChannelShuffle(keras.layers.Layer):
    """Interleave the channels of ``groups`` groups so the next grouped convolution sees all of them."""

    def __init__(self, groups: int, **kwargs):
        super().__init__(**kwargs)
        self.groups = groups

    def call(self, x):
        height, width, channels = x.shape[1], x.shape[2], x.shape[3]
        x = keras.ops.reshape(x, (-1, height, width, self.groups, channels // self.groups))
        x = keras.ops.transpose(x, (0, 1, 2, 4, 3))
        return keras.ops.reshape(x, (-1, height, width, channels))

    def get_config(self) -> dict:
        return {**super().get_config(), "groups": self.groups}


@keras.saving.register_keras_serializable(package="objectives")
class GroupedPointwiseConv(keras.layers.Layer):
    """A grouped 1x1 convolution as split, one convolution per group, concatenate.

    ``Conv2D(groups=g)`` computes the same thing but TensorFlow's CPU kernel for it ran several times
    slower here, and the split form converts to plain TFLite ops every runtime has.
    """

    def __init__(self, filters: int, groups: int, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.groups = filters, groups
        self.convs = [keras.layers.Conv2D(filters // groups, 1, use_bias=False, name=f"group{g}")
                      for g in range(groups)]

    def build(self, input_shape):
        part = (*input_shape[:-1], input_shape[-1] // self.groups)
        for conv in self.convs:
            conv.build(part)

    def call(self, x):
        parts = keras.ops.split(x, self.groups, axis=-1)
        return keras.ops.concatenate([conv(p) for conv, p in zip(self.convs, parts)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "groups": self.groups}


def grouped_conv_bn(x, filters: int, groups: int, name: str, activation: str | None):
    x = GroupedPointwiseConv(filters, groups, name=f"{name}_conv")(x)
    x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(x)
    return keras.layers.Activation(activation, name=f"{name}_{activation}")(x) if activation else x


def round_to(value: int, multiple: int) -> int:
    return max(multiple, (value + multiple - 1) // multiple * multiple)


def shuffle_unit(x, out_channels: int, groups: int, strides: int, name: str):
    """A ShuffleNet unit; with stride 2 the shortcut is average-pooled and concatenated (channels grow)."""
    in_channels = x.shape[-1]
    branch_channels = out_channels - in_channels if strides == 2 else out_channels
    bottleneck = round_to(max(out_channels // 4, 1), groups)
    y = grouped_conv_bn(x, bottleneck, groups, f"{name}_gconv1", "relu")
    y = ChannelShuffle(groups, name=f"{name}_shuffle")(y)
    y = depthwise_bn(y, strides, name, activation=None)
    y = grouped_conv_bn(y, branch_channels, groups, f"{name}_gconv2", None)
    if strides == 2:
        shortcut = keras.layers.AveragePooling2D(3, strides=2, padding="same", name=f"{name}_pool")(x)
        y = keras.layers.Concatenate(name=f"{name}_concat")([shortcut, y])
    else:
        y = keras.layers.Add(name=f"{name}_add")([x, y])
    return keras.layers.Activation("relu", name=f"{name}_relu")(y)
