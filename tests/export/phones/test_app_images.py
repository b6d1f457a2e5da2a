"""The phone-like path really differs from training's preprocessing where phones differ."""

from __future__ import annotations

import numpy as np
from PIL import Image

from export.phones.app_images import app_resize, jpeg_round_trip, phone_images
from objectives.data.preprocessing import decode_rgb, resize
from tests.conftest import write_image


def _stripes(size: int) -> np.ndarray:
    row = np.where(np.arange(size) % 2 == 0, 0, 255).astype(np.uint8)
    return np.stack([np.tile(row, (size, 1))] * 3, axis=-1)


def test_jpeg_round_trip_keeps_the_size_and_loses_some_detail(tmp_path):
    path = write_image(tmp_path / "stripes.png", _stripes(40))
    pixels = jpeg_round_trip(path)
    assert pixels.shape == (40, 40, 3) and pixels.dtype == np.uint8
    assert 0 < np.abs(pixels.astype(int) - _stripes(40)).mean() < 64


def test_app_resize_samples_pixel_centres_where_training_samples_corners():
    """One-pixel stripes shrunk 40 -> 13: neither smooths, but the app's half-pixel-centred bilinear samples other
    places than MediaPipe's corner-aligned one, which training uses, so the pixels differ."""
    stripes = _stripes(40)
    training = resize(Image.fromarray(stripes), 13)
    app = app_resize(stripes, 13)
    assert app.shape == training.shape == (13, 13, 3)
    assert np.array_equal(training[0, 0], stripes[0, 0])  # corner-aligned: the first sample is the first pixel
    assert np.abs(app.astype(int) - training.astype(int)).mean() > 20


def test_the_phone_path_resizes_to_the_model_size(tmp_path):
    first = write_image(tmp_path / "a.png", _stripes(30))
    second = write_image(tmp_path / "b.png", np.full((20, 12, 3), 200, np.uint8))
    images = phone_images([first, second], 16)
    assert images.shape == (2, 16, 16, 3)
    assert np.abs(images[1].astype(int) - 200).max() <= 2  # a flat image stays flat through JPEG and resize
    assert decode_rgb(second).size == (12, 20)
