"""MobileNetV2-style inverted residual blocks with linear bottlenecks."""

from __future__ import annotations

from typing import Any

from objectives.architectures.blocks import conv_bn, depthwise_bn, doubling_filters, pooled_head
from objectives.architectures.registry import FILTERS, NEURONS, Family, Limit, register_family
from objectives.config import ArchitectureConfig


def configure_mobilenetv2(values: dict[str, Any]) -> ArchitectureConfig:
    return ArchitectureConfig("mobilenetv2", doubling_filters(values), (values["neurons"],),
                              expansion=values["expansion"])


def inverted_residual(x, filters: int, expansion: int, strides: int, name: str):
    """Expand (1x1, ReLU6), filter (depthwise 3x3, ReLU6), project back linearly; add the input when shapes match."""
    import keras

    inputs = x
    y = conv_bn(x, x.shape[-1] * expansion, 1, 1, f"{name}_expand", activation="relu6") if expansion > 1 else x
    y = depthwise_bn(y, strides, name, activation="relu6")
    y = conv_bn(y, filters, 1, 1, f"{name}_project", activation=None)
    if strides == 1 and inputs.shape[-1] == filters:
        y = keras.layers.Add(name=f"{name}_add")([inputs, y])
    return y


def mobilenetv2_body(x, architecture: ArchitectureConfig):
    """``filters[0]`` is the stem; each further entry is a stage: a stride-2 block, then a residual block."""
    x = conv_bn(x, architecture.filters[0], 3, 2, "stem", activation="relu6")
    for i, filters in enumerate(architecture.filters[1:]):
        x = inverted_residual(x, filters, architecture.expansion, 2, f"stage{i + 1}a")
        x = inverted_residual(x, filters, architecture.expansion, 1, f"stage{i + 1}b")
    return pooled_head(x)


register_family(Family(
    name="mobilenetv2",
    parameters={"filters": FILTERS, "blocks": Limit(1, 4), "expansion": Limit(1, 8), "neurons": NEURONS},
    configure=configure_mobilenetv2,
    body=mobilenetv2_body,
    colour="#2ca02c",
    settings=("expansion",),
    label=lambda architecture: f"x{architecture.expansion}",
))
