"""The recipe's own procedure (the source paper's step 3, as its notebooks run it), run faithfully through the
service's study machinery.

1. Every image size x every generator with the paper's Model 1 (Conv2D 30 -> MaxPool -> Dense 50, Table 9),
   5-fold CV each; the best (size, generator) by mean CV accuracy wins.
2. Parameter reduction on the winner: every filters x neurons pair of a grid, 5-fold CV each. The paper's
   code sweeps 19 x 19 (1..19 each); the benchmark thins it to 9 x 9 (``THINNED_GRID``: 1, 2, 3, 4, 6, 8,
   11, 15, 19, roughly even steps on a log scale), 81 configurations instead of 361, so the recipe can be
   trained for its full 15 epochs on this machine.

Configurations are enqueued into an Optuna study and trained by the same objective as the service's
search (early stopping off, as the recipe trains every fold), so compute, storage and logging are
counted the same way for every method.
"""

from __future__ import annotations

from collections.abc import Sequence

import optuna
from optuna.trial import TrialState

from objectives.architectures.plain import MODEL_1, PLAIN, paper_network
from spaces.start_points import trial_params

GRID = tuple(range(1, 20))  # the paper's sweep: 1..19 filters x 1..19 neurons
THINNED_GRID = (1, 2, 3, 4, 6, 8, 11, 15, 19)  # the benchmark's: 9 of the 19, both ends kept


def plain_params(size: int, generator: int, filters: int, neurons: int) -> dict:
    """The Optuna parameters of a one-block plain CNN as the paper built it (valid padding, Flatten)."""
    return trial_params(PLAIN.name, size, generator, paper_network(filters, neurons))


def stage_one(sizes: Sequence[int], generators: Sequence[int]) -> list[dict]:
    """Model 1 at every size with every generator, in the recipe's loop order."""
    return [plain_params(size, generator, *MODEL_1) for size in sizes for generator in generators]


def best_size_and_generator(study: optuna.Study) -> tuple[int, int]:
    """The (size, generator) of the most accurate complete trial: what the recipe carries into stage 2."""
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not complete:
        raise RuntimeError(f"study {study.study_name!r}: no complete trial in stage 1")
    best = max(complete, key=lambda t: t.values[0])
    return int(best.params["image_size"]), int(best.params["generator"])


def stage_two(size: int, generator: int, grid: Sequence[int] = GRID) -> list[dict]:
    """The parameter-reduction sweep: filters in the outer loop, neurons in the inner, as in the paper's code."""
    return [plain_params(size, generator, filters, neurons) for filters in grid for neurons in grid]
