"""The test images as a phone app sees them: JPEG-compressed, then resized the app templates' way.

The recipe's users saw accuracy collapse between computer and phone. Two differences are reproducible
here: photos and gallery images arrive as JPEG (quality 90 is a common camera/gallery setting), and the
Android/Flutter classification templates scale with plain bilinear interpolation (Android
``Bitmap.createScaledBitmap(..., filter=true)``, TFLite Support ``ResizeOp.BILINEAR``, Flutter
``image.copyResize(interpolation: linear)``), sampling at pixel centres; training uses MediaPipe's resize
(corner-aligned, ``objectives.data.preprocessing.resize``), so an app that resizes itself gives other pixels.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import tensorflow as tf

from objectives.data.preprocessing import decode_rgb

JPEG_QUALITY = 90


def jpeg_round_trip(path: Path, quality: int = JPEG_QUALITY) -> np.ndarray:
    """The image at its original size after a JPEG encode and decode (uint8 H x W x 3)."""
    buffer = io.BytesIO()
    decode_rgb(path).save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    return np.asarray(decode_rgb(buffer), dtype=np.uint8)


def app_resize(pixels: np.ndarray, size: int) -> np.ndarray:
    """Bilinear resize without antialiasing, rounded back to 8-bit as a Bitmap holds it."""
    resized = tf.image.resize(pixels[np.newaxis], (size, size), method="bilinear", antialias=False)[0]
    return np.clip(np.round(resized.numpy()), 0, 255).astype(np.uint8)


def phone_images(paths: list[Path], size: int) -> np.ndarray:
    """Every image through the phone-like path, stacked (N x size x size x 3, uint8)."""
    return np.stack([app_resize(jpeg_round_trip(path), size) for path in paths])
