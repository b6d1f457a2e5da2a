"""The one definition of how a file becomes model input, shared by training, export and verification.

Phones feed RGB pixels; the recipe's original code read BGR with OpenCV. Everything here decodes with
Pillow into RGB, and the model's input contract is ``(pixel - MEAN) / STD`` with the values below:
the exported metadata is written from these same constants, never typed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

# Refuse absurd images instead of letting Pillow spend minutes and gigabytes on them.
Image.MAX_IMAGE_PIXELS = 89_478_485  # Pillow's own default, made explicit: 2x raises DecompressionBombError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


@dataclass(frozen=True)
class InputNormalisation:
    """Per-channel ``(pixel - mean) / std`` that the model expects at its input."""

    mean: float = 0.0
    std: float = 255.0

    def apply(self, pixels: np.ndarray) -> np.ndarray:
        return (pixels.astype(np.float32) - self.mean) / self.std


INPUT_NORMALISATION = InputNormalisation()


def decode_rgb(path: Path) -> Image.Image:
    """Open an image file upright (EXIF orientation applied) with exactly three RGB channels.

    16-bit greyscale is scaled to 8 bits rather than clipped; transparent pixels are laid on white,
    as a phone's gallery shows them.
    """
    with Image.open(path) as image:
        image.load()
        image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float64)
        top = 65535.0 if array.max() > 255 else 255.0
        image = Image.fromarray(np.clip(array / top * 255.0, 0, 255).astype(np.uint8), mode="L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image.convert("RGBA"))
    return image.convert("RGB")


def resize(image: Image.Image, size: int) -> np.ndarray:
    """Square the image to ``size`` x ``size`` pixels (uint8, HxWx3), as the recipe and the apps do."""
    return np.asarray(image.resize((size, size), Image.Resampling.BILINEAR), dtype=np.uint8)
