"""The CPU time each trial took, beside its wall time.

On a machine shared with other work, a run's wall time depends on what else runs: the benchmark's
processes run at the lowest priority and got 12-100% of a core, varying over the hours of a run. The
process's CPU time (``time.process_time``: every thread of the process, TensorFlow's and MLflow's
included) is what the run itself cost; with one TensorFlow thread per process it is the wall time the run
would take alone on a core. Both are kept; the report gives the targets on both. A session's start-up
(the data check, resizing from the cache, TensorFlow's import when it is the process's first) counts in the
CPU time of its first trial, a few seconds, where the wall time counts only the trial itself.
"""

from __future__ import annotations

import time

import optuna
from optuna.trial import FrozenTrial

PREFIX = "cpu_seconds."


class CpuClock:
    """Optuna callback: stores on the study the CPU seconds this process spent since the previous trial of this
    session finished (for a session's first trial: since the clock was made, the session's start-up included)."""

    def __init__(self) -> None:
        self.last = time.process_time()

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        now = time.process_time()
        study.set_user_attr(f"{PREFIX}{trial.number}", round(now - self.last, 3))
        self.last = now


def cpu_seconds(study: optuna.Study) -> dict[int, float]:
    """CPU seconds by trial number, for the trials a ``CpuClock`` saw."""
    return {int(key[len(PREFIX):]): float(value) for key, value in study.user_attrs.items() if key.startswith(PREFIX)}
