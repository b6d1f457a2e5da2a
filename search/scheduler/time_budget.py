"""A study bounded by wall time as well as by its trial count: whichever ends first.

A trial count means nothing to someone with 512 px photographs: one trial there takes seconds or a
quarter of an hour, depending on its image size and widths. ``make study TIME=10m`` gives the search a
deadline instead, kept in the study (every worker, local or on another machine, stops at the same time):

- no trial starts when the time left is shorter than the shortest complete trial so far;
- a trial whose estimated length exceeds the time left is not trained (PRUNED, with the estimate), so
  TPE learns that the configuration does not fit, and the next, cheaper draw may;
- at the deadline the trial under way stops at its next epoch's end
  (``objectives.training.cross_validation.StopAt``) and is queued again, so a resumed study runs it in full;
  the search then ends normally (front, export).

With ``reserve_export`` the deadline covers the export of the front too: what refitting and converting
the current front would take is held back from the search, so ``make study TIME=..`` ends on time.

A trial's length is estimated from the trials measured so far (``estimate_seconds``): the seconds per
trained image-epoch of the one nearest in compute per image (MACs), plus the seconds a MAC costs times
the extra MACs, times the image-epochs the new trial would train.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import asdict, dataclass

import optuna
from optuna.trial import FrozenTrial, TrialState

from objectives.errors import SettingError
from search.study import TrialAttr, front_rows

DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?")
STUDY_ATTR = "time_budget"  # study user attribute: this session's deadline, read by every worker
# Per model: refit estimate + this; per export: the fixed part (starting the command and the phone runtimes).
# From `time python -m search export --study S` on 2 cores, on a digits front and a 384 px photographs front.
EXPORT_SECONDS_PER_MODEL = 14.0
EXPORT_FIXED_SECONDS = 15.0
MIN_SECONDS = 10.0
# Training seconds per MAC per image-epoch (forward, backward and update) on a 2-core machine, before a
# study has measured its own: `python -m bench.baseline` trains the fixed strided CNN of 8/16/32 channels at
# 64 px (0.8M MACs) and prints its seconds; about 0.8 ns per MAC there, doubled to err long.
SECONDS_PER_MAC = 1.5e-9


def parse_duration(text: str, setting: str = "--time (TIME)") -> float:
    """Seconds in ``90s``, ``10m``, ``1h``, ``1h30m`` or a plain number of seconds."""
    found = DURATION.fullmatch(text.strip().lower()) if text.strip() else None
    seconds = None if found is None or not any(found.groups()) else \
        sum(float(v) * unit for v, unit in zip(found.groups(), (3600, 60, 1)) if v)
    if seconds is None or seconds < MIN_SECONDS:
        raise SettingError(f"{setting}: a duration of at least {MIN_SECONDS:g} s such as 90s, 10m or 1h30m must be "
                           f"given, but got {text!r}; pass e.g. TIME=10m")
    return seconds


def shown(seconds: float) -> str:
    """``4m05s`` / ``37s``: how progress lines show a duration."""
    seconds = max(0, round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


@dataclass(frozen=True)
class Deadline:
    """The search's end, in ``time.time()`` seconds, as every worker of the study reads it."""

    at: float
    seconds: float  # the budget as given
    reserve_export: bool = False  # hold back the front's export time

    @classmethod
    def starting_now(cls, seconds: float, reserve_export: bool) -> Deadline:
        return cls(time.time() + seconds, seconds, reserve_export)

    def save(self, study: optuna.Study) -> None:
        study.set_user_attr(STUDY_ATTR, asdict(self))

    @staticmethod
    def clear(study: optuna.Study) -> None:
        """A session without a time budget must not inherit the last session's deadline."""
        study.set_user_attr(STUDY_ATTR, None)

    @classmethod
    def load(cls, study: optuna.Study) -> Deadline | None:
        stored = study.user_attrs.get(STUDY_ATTR)
        return cls(**stored) if stored else None

    def export_reserve(self, study: optuna.Study) -> float:
        """Seconds the export of the current front would take: a refit on every search image and a conversion."""
        if not self.reserve_export:
            return 0.0
        return EXPORT_FIXED_SECONDS + sum(
            EXPORT_SECONDS_PER_MODEL + (row["training_seconds"] or 0.0) * 1.25 / max(1, row["folds"] or 1)
            for row in front_rows(study))

    def search_end(self, study: optuna.Study) -> float:
        """When training must stop: the deadline less the export's share."""
        return self.at - self.export_reserve(study)


def _measured(trials: list[FrozenTrial]) -> list[tuple[int, float]]:
    """(MACs, seconds per trained image-epoch) of every trial that trained something."""
    found = []
    for trial in trials:
        attrs = trial.user_attrs
        if attrs.get(TrialAttr.MACS) and attrs.get(TrialAttr.EPOCH_IMAGES) and attrs.get(TrialAttr.TRAINING_SECONDS):
            found.append((attrs[TrialAttr.MACS], attrs[TrialAttr.TRAINING_SECONDS] / attrs[TrialAttr.EPOCH_IMAGES]))
    return found


def seconds_per_mac(measured: list[tuple[int, float]]) -> float:
    """Training seconds per MAC per image-epoch: the median slope between measured trials whose compute
    differs at least twofold, else ``SECONDS_PER_MAC`` (no such pair yet)."""
    slopes = [(r2 - r1) / (m2 - m1) for m1, r1 in measured for m2, r2 in measured if m2 >= 2 * m1 and r2 > r1]
    return float(sorted(slopes)[len(slopes) // 2]) if slopes else SECONDS_PER_MAC


def estimate_seconds(trials: list[FrozenTrial], macs: int, epoch_images: int) -> float | None:
    """Training seconds of a trial of ``macs`` that trains ``epoch_images``, or None before any measurement.

    From the measured trial nearest in (log) MACs: its seconds per image-epoch, plus the slope per MAC
    times the extra MACs. A small network's time is mostly fixed cost (tf.data, Python, Keras' loop), so
    a smaller trial is not scaled down, and a larger one adds compute, not a multiple of that fixed cost."""
    measured = _measured(trials)
    if not measured or macs < 1:
        return None
    near_macs, rate = min(measured, key=lambda m: abs(math.log(max(m[0], 1)) - math.log(macs)))
    return (rate + seconds_per_mac(measured) * max(0, macs - near_macs)) * epoch_images


def shortest_trial(study: optuna.Study) -> float | None:
    """Wall seconds of the shortest complete trial so far."""
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    seconds = [t.user_attrs.get(TrialAttr.TRIAL_SECONDS) for t in complete]
    seconds = [s for s in seconds if s]
    return min(seconds) if seconds else None


class TimeBudget:
    """The study's callback: stop once the time left cannot hold even the shortest complete trial."""

    def __init__(self, deadline: Deadline):
        self.deadline = deadline
        self.reason: str | None = None

    def search_left(self, study: optuna.Study) -> float:
        return self.deadline.search_end(study) - time.time()

    def too_long(self, study: optuna.Study, macs: int, epoch_images: int) -> str | None:
        """Why a built trial is not trained (its estimate exceeds the time left), or None."""
        estimate = estimate_seconds(study.get_trials(deepcopy=False), macs, epoch_images)
        left = self.search_left(study)
        if estimate is None or estimate <= left:
            return None
        return (f"not trained: estimated {shown(estimate)} of training ({macs:,} MACs per image), "
                f"but {shown(left)} of the time budget are left")

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        left, shortest = self.search_left(study), shortest_trial(study) or 0.0
        if left <= shortest:
            self.reason = (f"time budget of {shown(self.deadline.seconds)} reached: {shown(left)} left"
                           + (f", less than the shortest trial so far ({shown(shortest)})" if left > 0 else ""))
            study.stop()
