"""The resize every original goes through (training, cross-validation, checking) is MediaPipe's: corner-aligned
bilinear sampling without antialiasing. tests/export/phones/test_mediapipe_tasks.py pins it to MediaPipe itself; these
pin its arithmetic without it."""

from __future__ import annotations

import numpy as np
from PIL import Image

from objectives.data.preprocessing import resize


def _ramp(height: int, width: int, step: int) -> Image.Image:
    """Columns worth ``step`` each, left to right, in all three channels."""
    row = (np.arange(width) * step).astype(np.uint8)
    return Image.fromarray(np.stack([np.tile(row, (height, 1))] * 3, axis=-1))


def test_a_37x23_ramp_is_sampled_at_i_times_37_over_8_from_the_first_pixel():
    """Output column j reads the source at j * 37 / 8 = 4.625 j (not at pixel centres, (j + 0.5) * 4.625 - 0.5),
    bilinear between the two neighbours, rounded half up: 6 * 4.625 j = 27.75 j."""
    pixels = resize(_ramp(23, 37, 6), 8)
    assert pixels.shape == (8, 8, 3) and pixels.dtype == np.uint8
    expected = np.floor(27.75 * np.arange(8) + 0.5)
    assert np.array_equal(pixels[..., 0], np.tile(expected, (8, 1)))
    assert np.array_equal(pixels[..., 0], pixels[..., 2])


def test_shrinking_does_not_average_what_falls_between_the_samples():
    """One-pixel stripes 40 -> 10 land on every 4th pixel (all black): no antialiasing, as on the phone."""
    row = np.where(np.arange(40) % 2 == 0, 0, 255).astype(np.uint8)
    stripes = Image.fromarray(np.stack([np.tile(row, (40, 1))] * 3, axis=-1))
    assert resize(stripes, 10).max() == 0
    assert np.asarray(stripes.resize((10, 10), Image.Resampling.BILINEAR)).min() > 60  # Pillow would have blurred


def test_the_last_pixel_is_repeated_past_the_edge_when_enlarging():
    """A 2-pixel-wide image made 4 wide reads positions 0, 0.5, 1, 1.5: the last one blends pixel 1 with itself."""
    image = Image.fromarray(np.array([[[0, 0, 0], [200, 200, 200]]] * 2, dtype=np.uint8))
    assert resize(image, 4)[0, :, 0].tolist() == [0, 100, 200, 200]


def test_greyscale_and_uniform_images_stay_as_they_are():
    grey = Image.fromarray(np.full((31, 17), 77, np.uint8), mode="L")
    pixels = resize(grey, 9)
    assert pixels.shape == (9, 9, 3) and (pixels == 77).all()
