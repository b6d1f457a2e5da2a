"""Full garbage collections paced by trials: none by allocations inside a study, one every COLLECT_EVERY trials."""

import gc
import weakref

from search.backend.garbage import COLLECT_EVERY, after_trial, trial_paced


class Node:
    """A container in a reference cycle: only the cyclic collector can free it."""

    def __init__(self):
        self.me = self


def _old_garbage_cycle() -> weakref.ref:
    """A cycle that survived into the oldest generation, then lost its last outside reference."""
    node = Node()
    gc.collect(1)  # survives the two young generations: now in the oldest
    gc.collect(1)
    return weakref.ref(node)


def _a_trial_of_allocations() -> None:
    """Enough tracked objects for many young-generation collections and, unpaced, a full one: Python starts
    a full collection only once the objects newly in the oldest generation are a quarter of those already
    there, so as many as half the objects it tracks are kept alive while more are made."""
    kept = [[i] for i in range(max(300_000, len(gc.get_objects()) // 2))]
    del kept


def test_inside_a_study_only_after_trial_frees_old_cycles_and_python_s_thresholds_come_back():
    before = gc.get_threshold()
    with trial_paced():
        garbage = _old_garbage_cycle()
        _a_trial_of_allocations()
        assert garbage() is not None  # no full collection started by the allocations
        for trials in range(1, COLLECT_EVERY):
            assert not after_trial(trials)
        assert garbage() is not None
        assert after_trial(COLLECT_EVERY)
        assert garbage() is None
    assert gc.get_threshold() == before


def test_what_survives_a_paced_collection_is_frozen_and_not_walked_again():
    with trial_paced():
        alive = Node()
        frozen = gc.get_freeze_count()
        assert after_trial(2 * COLLECT_EVERY)
        assert gc.get_freeze_count() > frozen
        assert not any(o is alive for o in gc.get_objects())  # the collector no longer walks it
    assert alive.me is alive


def test_without_pacing_python_collects_old_cycles_by_itself():
    """The behaviour ``trial_paced`` stops: the same allocations free the old cycle (the test's control)."""
    garbage = _old_garbage_cycle()
    _a_trial_of_allocations()
    assert garbage() is None
