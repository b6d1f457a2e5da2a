"""A family no module of the service declares, with a parameter no other family has (``kernel``): registered
by the tests that add a family the way a user would, in one file."""

from __future__ import annotations

from objectives.architectures import registry
from objectives.architectures.blocks import conv_bn, pooled_head
from objectives.config import ArchitectureConfig


def _square_body(x, architecture: ArchitectureConfig):
    return pooled_head(conv_bn(x, architecture.filters[0], architecture.option("kernel"), 1, "square"))


SQUARE = registry.Family(  # one square convolution, batch-norm, global average pooling, the softmax
    name="square",
    parameters={"filters": registry.FILTERS, "kernel": registry.Limit(1, 7), "neurons": registry.NEURONS,
                "head": registry.Words(("average",))},
    configure=lambda values: ArchitectureConfig("square", (values["filters"],), (values["neurons"],),
                                                head=values["head"], options={"kernel": values["kernel"]}),
    body=_square_body,
    colour="#9467bd",
    optional={"head": ("average",)},
    settings=("kernel",),
    label=lambda architecture: f"k{architecture.option('kernel')}",
    start=registry.StartPoints(({"filters": 4, "kernel": 3, "neurons": 8},)),
)
