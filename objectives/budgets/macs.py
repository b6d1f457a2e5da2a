"""Multiply-accumulates of one inference: the compute a phone pays per image, read off a built model.

The parameter count says nothing about image size: the same strided CNN has the same weights at 32 and
256 px and 64 times the work at 256. Every convolution and Dense layer here does, per output position,
one multiply-accumulate per kernel weight, so a layer's MACs are its output positions (the grid of its
output, 1 for a Dense layer on a vector) times the size of each of its kernels. That one rule covers
Conv2D, DepthwiseConv2D, Dense and the grouped pointwise convolutions of ShuffleNet (a kernel per
group). Biases, batch-norm (folded into the convolution in the TFLite file), activations, pooling and
additions are left out, as the usual MAC counts of MobileNet and ShuffleNet leave them out.
"""

from __future__ import annotations

import math

import keras

KERNEL_NAMES = ("kernel", "depthwise_kernel")


def layer_macs(layer: keras.layers.Layer) -> int:
    """MACs of one layer of a functional model (0 for a layer without kernels)."""
    kernels = [v for v in layer.weights if v.name in KERNEL_NAMES]
    if not kernels:
        return 0
    positions = math.prod(int(d) for d in layer.output.shape[1:-1])
    return positions * sum(math.prod(int(d) for d in kernel.shape) for kernel in kernels)


def model_macs(model: keras.Model) -> int:
    """MACs of one inference of ``model`` on one image."""
    return sum(layer_macs(layer) for layer in model.layers)
