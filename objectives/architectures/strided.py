"""A family made for real resolution: strided 3x3 convolutions with batch-norm, then global average pooling.

The plain family pools with MaxPool after full-resolution convolutions and, with a Flatten head, grows its
Dense weights with the pixels: fine at 8-28 px, hopeless at hundreds. Here every block is Conv 3x3
(stride 2) + batch-norm + ReLU, so each block quarters the grid and the next one works on a quarter of the
pixels; global average pooling gives the softmax one number per channel whatever the image size. The
parameter count does not grow with the image, and the compute of a block falls as the network deepens.

The design is the one of the fixed small CNN the real-photographs issue measured (three stride-2 conv +
batch-norm + ReLU blocks, global average pooling, softmax): 0.987 test accuracy at 6,299 parameters at
64 px on 512 px texture photographs, where a 15-minute study of the older families reached 0.773.

Blocks downsample only while the grid is at least ``MIN_STRIDED_SIDE`` pixels, then keep stride 1: on 8x8
digits a third stride-2 block would leave a 1x1 grid, and 3x3 convolutions on 1 pixel see no neighbours.
``growth`` widens each block over the one before (1: constant width, 2: doubling as usual in CNNs).

A study whose smallest image is 32 px or more starts from the smallest sensible strided CNNs, three blocks
each, narrow (4/4/4, 459 parameters for 3 classes) then wider (8/16/32, 6,299), at the space's sizes nearest
32 and 64 px: the fixed CNN built that way scored 0.84 at 471 parameters and 0.987 at 6,299 (64 px) on 512 px
texture photographs, where the plain family's start points scored 0.33-0.43. It did best at 64-128 px, but a
128 px trial costs 4 times a 64 px one (123 s against 38 s for 4/4/4 on 384 px photographs, 5 folds), so a
study starts at 32 and 64 px and the size ladder opens 96 px and up once the cheaper sizes stop paying.
"""

from __future__ import annotations

from typing import Any

from objectives.architectures.blocks import conv_bn, pooled_head
from objectives.architectures.registry import (DENSE_LAYERS, FILTERS, NEURONS, Family, Limit, StartPoints,
                                               register_family)
from objectives.config import ArchitectureConfig

MIN_STRIDED_SIDE = 4  # a block downsamples while its input is at least this many pixels on a side
START = StartPoints(tuple({"filters": filters, "growth": growth, "blocks": 3, "dense_layers": 0, "neurons": 32}
                          for filters, growth in ((4, 1), (8, 2))),  # 4/4/4, then 8/16/32
                    sizes=(32, 64), from_size=32)


def block_widths(filters: int, blocks: int, growth: float) -> tuple[int, ...]:
    """``blocks`` widths from ``filters``, each ``growth`` times the one before (rounded, never narrower)."""
    widths = [int(filters)]
    for _ in range(blocks - 1):
        widths.append(max(widths[-1], round(widths[-1] * growth)))
    return tuple(widths)


def configure_strided(values: dict[str, Any]) -> ArchitectureConfig:
    """``dense_layers`` 0 (the default) lets the softmax read the pooled channels; ``neurons`` is then unused."""
    return ArchitectureConfig("strided", block_widths(values["filters"], values["blocks"], values["growth"]),
                              (values["neurons"],) * values["dense_layers"])


def strides(image_size: int, blocks: int) -> tuple[int, ...]:
    """Each block's stride: 2 while the grid it reads is at least ``MIN_STRIDED_SIDE`` pixels, then 1."""
    found, side = [], image_size
    for _ in range(blocks):
        step = 2 if side >= MIN_STRIDED_SIDE else 1
        found.append(step)
        side = -(-side // step)  # 'same' padding: ceil(side / stride)
    return tuple(found)


def strided_body(x, architecture: ArchitectureConfig):
    """One Conv 3x3 + batch-norm + ReLU block per entry of ``filters``, strided as ``strides`` says."""
    steps = strides(int(x.shape[1]), len(architecture.filters))
    for i, (filters, step) in enumerate(zip(architecture.filters, steps)):
        x = conv_bn(x, filters, 3, step, f"block{i + 1}")
    return pooled_head(x)


register_family(Family(
    name="strided",
    parameters={"filters": FILTERS, "blocks": Limit(1, 4),
                "growth": Limit(1.0, 3.0, integer=False),  # each block's width over the one before
                "dense_layers": DENSE_LAYERS, "neurons": NEURONS},
    configure=configure_strided,
    body=strided_body,
    colour="#9467bd",
    optional={"growth": (2,), "dense_layers": (0,), "neurons": (32,)},
    start=START,
))
