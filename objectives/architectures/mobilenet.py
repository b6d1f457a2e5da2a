"""MobileNet-style depthwise-separable blocks (the width multiplier is applied by the search space)."""

from __future__ import annotations

from objectives.architectures.blocks import conv_bn, depthwise_bn, pooled_head
from objectives.config import ArchitectureConfig


def mobilenet_body(x, architecture: ArchitectureConfig):
    """``filters[0]`` is the stride-2 stem; each further entry is a stride-2 depthwise-separable block."""
    x = conv_bn(x, architecture.filters[0], 3, 2, "stem")
    for i, filters in enumerate(architecture.filters[1:]):
        x = depthwise_bn(x, 2, f"block{i + 1}")
        x = conv_bn(x, filters, 1, 1, f"block{i + 1}_pw")
    return pooled_head(x)
