"""The hypervolume of an (accuracy, log10 parameters) front: one number for "how good is this front".

Accuracy is maximised and log10(parameters) minimised. The dominated region is measured against a fixed
reference point (``Reference``): accuracies at or below its accuracy and models at or above its size add
nothing. With the reference at chance accuracy and a phone's parameter limit, the hypervolume is the area
of (accuracy above chance) x (orders of magnitude below the limit) that the front covers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    accuracy: float  # e.g. chance: 1 / classes
    log10_params: float  # e.g. 5.0: 100,000 parameters


def front(points: Iterable[tuple[float, int]]) -> list[tuple[float, int]]:
    """The non-dominated (accuracy, params) points, smallest model first."""
    best: list[tuple[float, int]] = []
    for accuracy, params in sorted(points, key=lambda p: (p[1], -p[0])):
        if not best or accuracy > best[-1][0]:
            best.append((accuracy, params))
    return best


def hypervolume(points: Iterable[tuple[float, int]], reference: Reference) -> float:
    """Area dominated by ``points`` (accuracy, params) and bounded by ``reference``.

    Swept from the most accurate model down: each front point adds the strip between its accuracy and
    the next lower front accuracy (or the reference), as wide as the room it leaves below the size limit.
    """
    useful = [(a, math.log10(max(p, 1))) for a, p in front(points)
              if a > reference.accuracy and math.log10(max(p, 1)) < reference.log10_params]
    area, floor = 0.0, reference.accuracy
    for accuracy, log_params in useful:  # ascending size, so ascending accuracy
        area += (accuracy - floor) * (reference.log10_params - log_params)
        floor = accuracy
    return area
