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


# How every original becomes a model's input: the resize MediaPipe Tasks' ImageClassifier (what Android
# apps classify with) applies to the whole camera frame, so training, cross-validation and verification see
# exactly the pixels the phone gives the model. Its CPU path (mediapipe/calculators/tensor/
# image_to_tensor_converter_opencv.cc, mediapipe 1.2.3) maps the image's corners onto the tensor's corners
# and samples with OpenCV's warpPerspective, INTER_LINEAR, border replicated: output pixel i reads the source
# at i * W / size (corner-aligned, not pixel centres), bilinear between the 4 nearest pixels, no antialiasing,
# the position quantised to 1/32 pixel and the weights in 15-bit fixed point. Identical pixels to mediapipe
# 1.2.3's on non-square, non-multiple images (tests/export/phones/test_mediapipe_tasks.py holds it to MediaPipe
# itself); Pillow's antialiased bilinear differs by more than half the range. Part of the size cache's key.
RESIZE_METHOD = "mediapipe-warp"
_SUBPIXEL_BITS = 5  # OpenCV's INTER_BITS: positions in 1/32 pixel
_WEIGHT_SHIFT = 15  # OpenCV's INTER_REMAP_COEF_BITS: bilinear weights sum to 2**15


def _taps(source: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per output index, the left source pixel and the 1/32 fraction towards the next one."""
    steps = np.rint(np.arange(size) * (source / size) * (1 << _SUBPIXEL_BITS)).astype(np.int64)
    return steps >> _SUBPIXEL_BITS, steps & ((1 << _SUBPIXEL_BITS) - 1)


def resize(image: Image.Image, size: int) -> np.ndarray:
    """Square the whole image to ``size`` x ``size`` pixels (uint8, HxWx3) as MediaPipe's ImageClassifier does."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.int64)
    padded = np.pad(pixels, ((0, 1), (0, 1), (0, 0)), mode="edge")  # BORDER_REPLICATE past the last pixel
    (top, fy), (left, fx) = _taps(pixels.shape[0], size), _taps(pixels.shape[1], size)
    one = 1 << _SUBPIXEL_BITS
    wy, wx = (one - fy)[:, None, None], (one - fx)[None, :, None]
    fy, fx = fy[:, None, None], fx[None, :, None]
    rows, below = padded[top], padded[top + 1]
    total = ((rows[:, left] * wx + rows[:, left + 1] * fx) * wy +
             (below[:, left] * wx + below[:, left + 1] * fx) * fy) << (_WEIGHT_SHIFT - 2 * _SUBPIXEL_BITS)
    return ((total + (1 << (_WEIGHT_SHIFT - 1))) >> _WEIGHT_SHIFT).astype(np.uint8)
