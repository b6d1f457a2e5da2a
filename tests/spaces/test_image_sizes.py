"""Image sizes from the data: the native size and steps below it, the recipe's ladder for large images."""

from collections import Counter

import pytest

from spaces.image_sizes import derived_image_sizes, native_size, unlocked_sizes
from spaces.space import load_space


@pytest.mark.parametrize("native, sizes", [
    (4, (8,)),  # tiny images: the one case scaled up, to the smallest usable size
    (8, (8,)),  # the bundled digits: native only, nothing under 8 px
    (16, (8, 12, 16)),
    (28, (14, 21, 28)),  # Fashion-MNIST
    (64, (32, 48, 64)),  # the ladder, clipped at the native size
    (224, (32, 48, 64, 96, 128, 192, 224)),
    (512, (32, 48, 64, 96, 128, 192, 256)),
    (4000, (32, 48, 64, 96, 128, 192, 256)),  # large scans
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


def test_sizes_open_up_the_ladder_only_as_the_front_stops_improving():
    sizes = (32, 48, 64, 96, 128, 192, 256)
    assert unlocked_sizes(sizes, []) == (32, 48, 64)  # cheap sizes are open from the start
    improving = [(0.5, 1000), (0.6, 2000), (0.7, 3000), (0.8, 4000)]  # each one a new front point
    assert unlocked_sizes(sizes, improving) == (32, 48, 64)
    stalled = improving + [(0.4, 5000), (0.8, 4000), (0.1, 90)]  # the last is a new (cheap) front point
    assert unlocked_sizes(sizes, stalled) == (32, 48, 64)
    assert unlocked_sizes(sizes, stalled + [(0.05, 100)] * 3) == (32, 48, 64, 96)
    assert unlocked_sizes(sizes, stalled + [(0.05, 100)] * 6) == (32, 48, 64, 96, 128)
    assert unlocked_sizes((8,), [(0.1, 10)] * 9) == (8,)  # small images: nothing to open
    assert unlocked_sizes((14, 21, 28), []) == (14, 21, 28)
