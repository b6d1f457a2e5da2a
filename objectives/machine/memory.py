"""Will a built model train in this machine's memory? Answered before any training, from its shapes.

Bounded parameter ranges (each family's ``Limit``) keep single layers sane, but memory grows with the image
size too: one trial of a space with wide layers reached 8 GB. Training keeps every layer's output for
the backward pass and a gradient of the same size, and Adam keeps two moments per weight; the estimate
below counts those (float32) and refuses a trial over the memory available now, with the numbers.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

from objectives.errors import InfeasibleConfiguration

if TYPE_CHECKING:  # a type only: the size check runs before TensorFlow loads
    import keras

BYTES = 4  # float32
ACTIVATION_COPIES = 3  # the output kept for backprop, its gradient, and a temporary of the same size
WEIGHT_COPIES = 4  # weights, gradients, Adam's two moments


def available_bytes() -> int:
    """Memory a trial may take: ``SEARCH_MEMORY_LIMIT_MB`` if set, else the kernel's MemAvailable."""
    limit = os.environ.get("SEARCH_MEMORY_LIMIT_MB", "").strip()
    if limit.isdigit() and int(limit) > 0:
        return int(limit) * 2**20
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _elements(shape) -> int:
    return math.prod(int(d) for d in shape[1:] if d is not None)


def training_bytes(model: keras.Model, batch_size: int) -> int:
    """A lower-bound estimate of the memory one training step of ``model`` needs."""
    activations = sum(_elements(layer.output.shape) for layer in model.layers if hasattr(layer, "output"))
    return batch_size * activations * BYTES * ACTIVATION_COPIES + model.count_params() * BYTES * WEIGHT_COPIES


def check_fits_memory(model: keras.Model, batch_size: int, image_size: int) -> None:
    """Refuse (a failed trial, with its reason) a model whose training would not fit in memory."""
    needed, available = training_bytes(model, batch_size), available_bytes()
    if needed > available:
        raise InfeasibleConfiguration(
            f"training needs about {needed / 2**20:,.0f} MB (batch {batch_size}, {image_size}x{image_size} images, "
            f"{model.count_params():,} parameters), but {available / 2**20:,.0f} MB are available; narrow the space's "
            "filters or image sizes, or lower the batch size")


def size_bytes(images: int, size: int) -> int:
    """Memory one image size holds during a study: its uint8 images twice (the copy read out of the size cache
    and the training fold TensorFlow keeps), never a float copy (``objectives.training.cross_validation.fit``)."""
    return 2 * images * size * size * 3


def sizes_that_fit(images: int, sizes: tuple[int, ...]) -> tuple[tuple[int, ...], list[str]]:
    """The sizes whose images fit in half the memory available now (the other half for the network), and one
    line for each size left out."""
    budget = available_bytes() // 2
    kept = tuple(size for size in sizes if size_bytes(images, size) <= budget)
    dropped = [f"image size {size} px left out: {images:,} images at {size}x{size} need about "
               f"{size_bytes(images, size) / 2**30:.1f} GB, and {budget / 2**30:.1f} GB (half of what is available) "
               "can be given to them; list smaller sizes in the space file, or use fewer images"
               for size in sizes if size not in kept]
    return kept, dropped
