"""Architecture families: ``build_model`` turns an ``ArchitectureConfig`` into a fresh Keras model.

Every model takes ``(size, size, 3)`` images already rescaled by the input contract, optionally
standardises them featurewise (generators 3 and 4), and ends in a softmax over the classes in the
dataset's sorted class order.

Importing every module of this package here registers the families they declare
(``objectives.architectures.registry``) whichever module of the package is imported first, so a new family
is one new file and nothing else; Keras loads only when a model is built, so the search space can be checked
without it.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module
from typing import TYPE_CHECKING

from objectives.architectures.registry import family
from objectives.config import ArchitectureConfig
from objectives.errors import InfeasibleConfiguration

if TYPE_CHECKING:
    import keras

__all__ = ["InfeasibleConfiguration", "build_model", "check_feasible"]

# A family module registers its family on import; in name order, the order errors and plots list them. A
# module whose name starts with "_" is a family's helper that loads Keras, imported by that family's body only.
for _module in sorted(module.name for module in pkgutil.iter_modules(__path__) if not module.name.startswith("_")):
    import_module(f"{__name__}.{_module}")


def check_feasible(architecture: ArchitectureConfig, image_size: int) -> None:
    """Raise ``InfeasibleConfiguration`` before any training if the network cannot be built at this size."""
    check = family(architecture.family).check
    if check is not None:
        check(architecture, image_size)


def build_model(architecture: ArchitectureConfig, image_size: int, num_classes: int, standardize: bool) -> keras.Model:
    import keras

    from objectives.training.standardization import FeaturewiseStandardization

    check_feasible(architecture, image_size)
    inputs = keras.Input(shape=(image_size, image_size, 3), name="image")
    x = FeaturewiseStandardization(name="featurewise_standardization")(inputs) if standardize else inputs
    x = family(architecture.family).body(x, architecture)
    for i, units in enumerate(architecture.neurons):
        x = keras.layers.Dense(units, activation="relu", name=f"dense_{i + 1}")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=architecture.family)
