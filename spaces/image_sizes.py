"""Image sizes taken from the data: the recipe's step 1 without upsampling, and in an order of cost.

Upsampling adds no information and costs compute twice over: a 3x3 convolution's work grows with the
pixels (32 px is 16 times the work of 8 px), and a plain network's Flatten -> Dense layer grows with them
too: on the bundled 8x8 digits, the same search with sizes 8/12/16 found a better front in less time
than with 32/40/48. So a space that says ``image_sizes: auto`` gets the images' native size and a
few steps below it. Large images get a ladder from 32 to 256 px, clipped at the native size: the recipe's
30, 50, 100, 200 and 300 px skipped 64 and 128 px, where one small strided CNN trained once did best on
512 px photographs (`python -m bench.baseline --sizes 32 64 128` trains it at each), and spent most of a
study on 200-300 px trials that cost 10-100 times a 30 px one. A space file that lists sizes is taken as
written (upsampling included).

The ladder is climbed as it pays (``unlocked_sizes``): sizes up to ``FREE_SIZE`` are open from the start;
each larger one opens once the study's front has stopped improving for ``PATIENCE`` complete trials in
a row, so the first minutes go to cheap sizes and a large size is tried only when they stop paying.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from objectives.config import MIN_IMAGE_SIZE

LADDER = (32, 48, 64, 96, 128, 192, 256)  # for images of at least LADDER_FROM pixels
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
    if native < MIN_IMAGE_SIZE:
        return (MIN_IMAGE_SIZE,)  # tiny images are the one case that is scaled up, to the smallest usable size
    if native < LADDER_FROM:
        return tuple(sorted({round(native * step) for step in STEPS if round(native * step) >= MIN_IMAGE_SIZE}))
    ladder = [size for size in LADDER if size < native] + [min(native, LADDER[-1])]
    return tuple(sorted(set(ladder)))[-len(LADDER):]


FREE_SIZE = 64  # sizes up to this are open from a study's start: a 64 px trial costs 4 times a 32 px one
PATIENCE = 3  # complete trials in a row that leave the front as it was before the next size opens


def _dominated(front: list[tuple[float, float]], point: tuple[float, float]) -> bool:
    """Whether a front point is at least as accurate with no more parameters (ties count: nothing new)."""
    return any(accuracy >= point[0] and params <= point[1] for accuracy, params in front)


def unlocked_sizes(sizes: Sequence[int], results: Sequence[tuple[float, float]],
                   patience: int = PATIENCE) -> tuple[int, ...]:
    """The sizes a sampler may draw now, given the study's complete trials in order as (accuracy, params).

    Replaying the trials keeps every worker's answer the same from the shared storage alone."""
    ordered = sorted(sizes)
    opened = max(1, sum(size <= FREE_SIZE for size in ordered))
    front: list[tuple[float, float]] = []
    stalled = 0
    for point in results:
        if _dominated(front, point):
            stalled += 1
        else:
            front = [p for p in front if not (point[0] >= p[0] and point[1] <= p[1])] + [point]
            stalled = 0
        if stalled >= patience and opened < len(ordered):
            opened, stalled = opened + 1, 0
    return tuple(ordered[:opened])
