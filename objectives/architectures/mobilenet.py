"""MobileNet-style depthwise-separable blocks; the search space's width multiplier sets their channels."""

from __future__ import annotations

from typing import Any

from objectives.architectures.blocks import conv_bn, depthwise_bn, pooled_head
from objectives.architectures.registry import NEURONS, Family, Limit, register_family
from objectives.config import ArchitectureConfig


def _divisible(value: float, by: int = 8) -> int:
    """Round channels to a multiple of ``by`` as MobileNet does (never below ``by``)."""
    return max(by, int(value + by / 2) // by * by)


def configure_mobilenet(values: dict[str, Any]) -> ArchitectureConfig:
    """MobileNet's widths (a 32-channel stem, then 64, 128, ... per block) times the width multiplier."""
    alpha = values["width_multiplier"]
    filters = (_divisible(32 * alpha),) + tuple(_divisible(64 * alpha * 2**i) for i in range(values["blocks"]))
    return ArchitectureConfig("mobilenet", filters, (values["neurons"],))


def mobilenet_body(x, architecture: ArchitectureConfig):
    """``filters[0]`` is the stride-2 stem; each further entry is a stride-2 depthwise-separable block."""
    x = conv_bn(x, architecture.filters[0], 3, 2, "stem")
    for i, filters in enumerate(architecture.filters[1:]):
        x = depthwise_bn(x, 2, f"block{i + 1}")
        x = conv_bn(x, filters, 1, 1, f"block{i + 1}_pw")
    return pooled_head(x)


register_family(Family(
    name="mobilenet",
    parameters={"width_multiplier": Limit(0.05, 2.0, integer=False),
                "blocks": Limit(1, 4),  # MobileNet's block widths are 64, 128, 256, 512 (times the multiplier)
                "neurons": NEURONS},
    configure=configure_mobilenet,
    body=mobilenet_body,
    colour="#ff7f0e",
))
