"""Featurewise centring and std normalisation (generators 3 and 4), fitted on the training fold only.

Keras' own ``Normalization.adapt`` turns its statistics into constant tensors, so a training function
traced on fold 1 would keep fold 1's statistics for every later fold. This layer keeps them in
variables that are re-assigned per fold and read on every call, and it is part of the exported model,
so a phone applies exactly the statistics that training used.
"""

from __future__ import annotations

import keras
import numpy as np


@keras.saving.register_keras_serializable(package="objectives")
class FeaturewiseStandardization(keras.layers.Layer):
    """``(x - mean) / std`` per channel, with mean and std set by :meth:`fit`."""

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        channels = input_shape[-1]
        self.mean = self.add_weight(name="mean", shape=(channels,), initializer="zeros", trainable=False)
        self.std = self.add_weight(name="std", shape=(channels,), initializer="ones", trainable=False)
        self.fitted = self.add_weight(name="fitted", shape=(), initializer="zeros", trainable=False)

    def set_statistics(self, mean: np.ndarray, std: np.ndarray) -> None:
        """Set the per-channel statistics of the (already rescaled) training images."""
        self.mean.assign(np.asarray(mean, dtype=np.float32))
        self.std.assign(np.maximum(np.asarray(std, dtype=np.float32), 1e-6))
        self.fitted.assign(1.0)

    def is_fitted(self) -> bool:
        return bool(float(self.fitted.numpy()) == 1.0)

    def call(self, inputs):
        return (inputs - self.mean) / self.std
