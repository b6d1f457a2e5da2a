"""Image sizes from the data: the native size and steps below it, the recipe's ladder for large images."""

from collections import Counter

import pytest

from spaces.image_sizes import derived_image_sizes, native_size
from spaces.space import load_space


@pytest.mark.parametrize("native, sizes", [
    (4, (8,)),  # tiny images: the one case scaled up, to the smallest usable size
    (8, (8,)),  # the bundled digits: native only, nothing under 8 px
    (16, (8, 12, 16)),
    (28, (14, 21, 28)),  # Fashion-MNIST
    (64, (30, 50, 64)),  # the ladder, clipped at the native size
    (224, (30, 50, 100, 200, 224)),
    (300, (30, 50, 100, 200, 300)),
    (4000, (30, 50, 100, 200, 300)),  # large scans: the recipe's sizes
])
def test_sizes_follow_the_native_size_and_never_upsample(native, sizes):
    assert derived_image_sizes(native) == sizes
    assert max(sizes) <= max(native, 8)


def test_native_size_is_the_median_short_side():
    assert native_size(Counter({(8, 8): 1797})) == 8
    assert native_size(Counter({(640, 480): 3, (100, 2000): 1, (50, 50): 1})) == 480


def test_an_auto_space_is_resolved_and_recorded_with_its_sizes():
    space = load_space()
    assert space.sizes_from_data and space.source["image_sizes"] == "auto"
    resolved = space.for_native_size(28)
    assert resolved.image_sizes == (14, 21, 28) and resolved.source["image_sizes"] == [14, 21, 28]
    assert resolved.for_native_size(8) is resolved  # listed sizes are taken as written
