"""Python's cyclic garbage collector, paced by trials instead of by allocations.

A Keras model's objects live for its whole trial and become cyclic garbage once ``clear_session`` drops
the model, so only a full (oldest-generation) collection frees them. Python starts one by itself every
ten collections of the middle generation, i.e. by allocations: in the benchmark's digits study 0.7 full
collections a trial at 120-220 ms each, 1.8% of the study's wall time (BENCHMARKS.md, "Reading these
numbers": `make bench`), each walking every object made since the libraries loaded (MLflow's too: it is
imported on the tracking thread, after the study starts). Within
``trial_paced`` the young generations are collected as usual and full collections come only after every
``COLLECT_EVERY``-th trial (``after_trial``), freezing what survives so the next walks only newer objects:
28 ms a trial on the same benchmark (BENCHMARKS.md, "Reading these numbers").
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Trials between full collections: the process holds up to ten trials' garbage (on the digits, its resident
# size falls by about a hundred megabytes at each collection).
COLLECT_EVERY = 10
NEVER = 2**31 - 1  # a full-collection threshold no study reaches


@contextmanager
def trial_paced() -> Iterator[None]:
    """Full collections only where ``after_trial`` asks for them; Python's thresholds are put back after.

    Frozen objects stay frozen: they are the libraries' and the study's, alive until the process ends, and
    unfreezing them would make the next full collection walk them all again."""
    thresholds = gc.get_threshold()
    gc.freeze()  # the libraries' million long-lived objects are never walked again by a full collection
    gc.set_threshold(thresholds[0], thresholds[1], NEVER)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def after_trial(trials: int) -> bool:
    """Collect everything after every ``COLLECT_EVERY``-th trial and freeze what survives; True if it did.

    Frozen objects that die later are freed by their reference counts as usual; only cycles among them
    would stay, and what is alive between two trials (the study, caches, the libraries) lives on anyway."""
    if trials % COLLECT_EVERY:
        return False
    gc.collect()
    gc.freeze()
    return True
