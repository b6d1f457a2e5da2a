"""Architecture families: ``build_model`` turns an ``ArchitectureConfig`` into a fresh Keras model.

Every model takes ``(size, size, 3)`` images already rescaled by the input contract, optionally
standardises them featurewise (generators 3 and 4), and ends in a softmax over the classes in the
dataset's sorted class order.
"""

from __future__ import annotations

import keras

from objectives.architectures.mobilenet import mobilenet_body
from objectives.architectures.mobilenetv2 import mobilenetv2_body
from objectives.architectures.plain import check_plain, plain_body
from objectives.architectures.shufflenet import shufflenet_body
from objectives.config import ArchitectureConfig
from objectives.errors import InfeasibleConfiguration
from objectives.standardization import FeaturewiseStandardization

__all__ = ["InfeasibleConfiguration", "build_model", "check_feasible"]

_BODIES = {
    "plain": plain_body,
    "mobilenet": mobilenet_body,
    "mobilenetv2": mobilenetv2_body,
    "shufflenet": shufflenet_body,
}


def check_feasible(architecture: ArchitectureConfig, image_size: int) -> None:
    """Raise ``InfeasibleConfiguration`` before any training if the network cannot be built at this size."""
    if architecture.family == "plain":
        check_plain(architecture, image_size)  # the other families pad, so every size works


def build_model(architecture: ArchitectureConfig, image_size: int, num_classes: int, standardize: bool) -> keras.Model:
    check_feasible(architecture, image_size)
    inputs = keras.Input(shape=(image_size, image_size, 3), name="image")
    x = FeaturewiseStandardization(name="featurewise_standardization")(inputs) if standardize else inputs
    x = _BODIES[architecture.family](x, architecture)
    for i, units in enumerate(architecture.neurons):
        x = keras.layers.Dense(units, activation="relu", name=f"dense_{i + 1}")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=architecture.family)
