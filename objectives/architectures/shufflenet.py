"""ShuffleNet-style units: grouped 1x1 convolutions with a channel shuffle between them."""

from __future__ import annotations

from typing import Any

from objectives.architectures.blocks import conv_bn, doubling_filters, pooled_head
from objectives.architectures.registry import FILTERS, NEURONS, Family, Limit, register_family
from objectives.config import ArchitectureConfig


def configure_shufflenet(values: dict[str, Any]) -> ArchitectureConfig:
    return ArchitectureConfig("shufflenet", doubling_filters(values), (values["neurons"],), groups=values["groups"])


def shufflenet_body(x, architecture: ArchitectureConfig):
    """``filters[0]`` is the stem (rounded to the groups); each further entry is a stage of a
    stride-2 unit (channels doubled: filters[i] is taken as the stage's output, rounded) and a residual unit."""
    from objectives.architectures._shuffle_units import round_to, shuffle_unit

    groups = architecture.groups
    x = conv_bn(x, round_to(architecture.filters[0], groups), 3, 2, "stem")
    for i, filters in enumerate(architecture.filters[1:]):
        out_channels = max(round_to(filters, groups), x.shape[-1] + groups)
        x = shuffle_unit(x, out_channels, groups, 2, f"stage{i + 1}a")
        x = shuffle_unit(x, out_channels, groups, 1, f"stage{i + 1}b")
    return pooled_head(x)


register_family(Family(
    name="shufflenet",
    parameters={"filters": FILTERS, "blocks": Limit(1, 4), "groups": Limit(1, 8), "neurons": NEURONS},
    configure=configure_shufflenet,
    body=shufflenet_body,
    colour="#d62728",
    settings=("groups",),
    label=lambda architecture: f"g{architecture.groups}",
))
