"""Image sizes taken from the data: the recipe's step 1 without upsampling.

Upsampling adds no information and costs compute twice over: a 3x3 convolution's work grows with the
pixels (32 px is 16 times the work of 8 px), and a plain network's Flatten -> Dense layer grows with them
too. Measured on the bundled 8x8 digits: the same search with sizes 8/12/16 found a better front in less
time than with 32/40/48. So a space that says ``image_sizes: auto`` gets the images' native size and a
few steps below it; large images get the recipe's ladder of 30, 50, 100, 200 and 300 px, clipped at the
native size. A space file that lists sizes is taken as written (upsampling included).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

MIN_SIZE = 8  # below this a 3x3 convolution and one pooling leave almost nothing
LADDER = (30, 50, 100, 200, 300)  # the recipe's sizes, for images of at least LADDER_FROM pixels
LADDER_FROM = 50
STEPS = (1.0, 0.75, 0.5)  # small images: native, three quarters, half


def native_size(sizes: Counter) -> int:
    """The median short side of the images (``(width, height) -> count``): the finest grid every image has."""
    if not sizes:
        raise ValueError("no image sizes to derive from")
    short = np.repeat([min(w, h) for w, h in sizes], list(sizes.values()))
    return int(np.median(short))


def derived_image_sizes(native: int) -> tuple[int, ...]:
    """The sizes a study searches for images of ``native`` pixels (ascending, none above ``native``)."""
    if native < MIN_SIZE:
        return (MIN_SIZE,)  # tiny images are the one case that is scaled up, to the smallest usable size
    if native < LADDER_FROM:
        return tuple(sorted({round(native * step) for step in STEPS if round(native * step) >= MIN_SIZE}))
    ladder = [size for size in LADDER if size < native] + [min(native, LADDER[-1])]
    return tuple(sorted(set(ladder)))[-len(LADDER):]
