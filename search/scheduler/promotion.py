"""Multi-fidelity by Pareto rank: a trial goes on to more folds only while it ranks well among the trials that
reached the same fidelity (MO-ASHA's rule, on this study's two objectives).

Optuna's pruners are single-objective (its issue #3450), and the fold-level bound of
``search.scheduler.early_stopping`` only stops a trial that the complete front already beats. Most configurations
are simply mediocre: not dominated by the front's bound, and no use to it. The rule here, after the folds
of each rung (``rungs``: 1 and 3 of 5 folds; the fidelity is the number of folds, each a full training):

- every trial that reached the rung is a point (mean accuracy over its first ``rung`` folds, parameters);
  trials stopped earlier count at the rungs they reached, so the comparison is always at equal fidelity;
- the points are ordered as NSGA-II orders a population: non-dominated sorting, then crowding distance
  within each front (``pareto_order``);
- the trial goes on if it is in the first ``1 / ETA`` of that order, or if no other trial beats it by more
  than ``epsilon(rung)`` accuracy with as few parameters (a trial no other clearly beats at this fidelity
  may be a front point at full fidelity; stopping it can only lose the front). The margin is the noise of
  a few folds: on the default digits study, a network can trail a smaller one after fold 1 and lead it after
  all five (each trial stores its fold accuracies, MLflow's ``fold_accuracy`` metric per fold), a front point
  that plain dominance at fold 1 stops.
- the first ``ETA`` trials to reach a rung all go on: there is nothing yet to rank them against.

Everything it reads is in the shared storage (the fold accuracies each trial stores after every fold), so
several workers apply the same rule to the same rungs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

ETA = 3  # the top third of a rung goes on, as in ASHA's default reduction factor
FOLD_NOISE = 0.02  # accuracy by which one fold's score may miss a configuration's mean over five

Point = tuple[float, float]  # (accuracy: higher is better, parameters: lower is better)


def rungs(folds: int) -> tuple[int, ...]:
    """Fold counts after which a trial is ranked: 1, 3, 9, ... below the full count (5 folds: 1 and 3)."""
    found, rung = [], 1
    while rung < folds:
        found.append(rung)
        rung *= ETA
    return tuple(found)


def _dominates(a: Point, b: Point) -> bool:
    return a[0] >= b[0] and a[1] <= b[1] and (a[0] > b[0] or a[1] < b[1])


def fronts(points: Sequence[Point]) -> list[list[int]]:
    """Non-dominated sorting: indices of the first front, then of the front once it is removed, and so on."""
    remaining, found = list(range(len(points))), []
    while remaining:
        front = [i for i in remaining if not any(_dominates(points[j], points[i]) for j in remaining if j != i)]
        found.append(front)
        remaining = [i for i in remaining if i not in front]
    return found


def crowding(points: Sequence[Point], front: list[int]) -> dict[int, float]:
    """NSGA-II's crowding distance of each index of one front: the ends are infinitely far."""
    distance = {i: 0.0 for i in front}
    for axis in (0, 1):
        ordered = sorted(front, key=lambda i: points[i][axis])
        span = points[ordered[-1]][axis] - points[ordered[0]][axis]
        distance[ordered[0]] = distance[ordered[-1]] = math.inf
        for before, here, after in zip(ordered, ordered[1:], ordered[2:]):
            if span > 0:
                distance[here] += (points[after][axis] - points[before][axis]) / span
    return distance


def pareto_order(points: Sequence[Point]) -> list[int]:
    """Indices of ``points`` best first: by front, then by crowding distance (largest first), then index."""
    order = []
    for front in fronts(points):
        distance = crowding(points, front)
        order.extend(sorted(front, key=lambda i: (-distance[i], i)))
    return order


def epsilon(rung: int) -> float:
    """How far ahead another trial must be at ``rung`` folds to count as beating this one: a mean over more
    folds is less noisy, as one over the square root of their count."""
    return FOLD_NOISE / math.sqrt(rung)


def goes_on(mine: Point, others: Sequence[Point], rung: int = 1) -> bool:
    """Whether a trial at ``mine`` goes on past a rung that ``others`` also reached."""
    if len(others) < ETA:
        return True
    margin = epsilon(rung)
    if not any(other[0] > mine[0] + margin and other[1] <= mine[1] for other in others):
        return True
    points = [mine, *others]
    return pareto_order(points).index(0) < math.ceil(len(points) / ETA)
