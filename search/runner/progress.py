"""Progress of a study: a live bar on a terminal, plain lines in a log.

tqdm redraws its bar with carriage returns; written to a file or a pipe (CI, nohup, a cluster job) every
redraw stays in the log. When the stream is not a terminal there is no bar: each trial's line is printed
as usual, and a summary line every ``SUMMARY_TRIALS`` finished trials or ``SUMMARY_SECONDS`` of wall time.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

import optuna
from optuna.trial import FrozenTrial
from tqdm import tqdm

from search.scheduler.time_budget import TimeBudget
from search.scheduler.time_budget import shown as shown_time
from search.study import FINISHED

SUMMARY_TRIALS = 10
SUMMARY_SECONDS = 60.0


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is shown live (a bar is drawn) rather than kept (a log)."""
    return hasattr(stream, "isatty") and stream.isatty()


class BudgetProgress:
    """Progress over the study's whole budget: trials finished by any worker count; with a time budget, the
    time spent and left (``search.scheduler.time_budget``) too."""

    def __init__(self, study: optuna.Study, budget: int, clock: TimeBudget | None = None, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.live, self.name, self.budget = is_terminal(self.stream), study.study_name, budget
        self.clock, self.started = clock, time.time()
        self.finished = self.said = self._finished(study)
        self.said_at = self.started
        self.bar = tqdm(total=budget, initial=self.finished, desc=f"study {self.name}", unit="trial",
                        file=self.stream, disable=not self.live)
        self._show_time(study)

    @staticmethod
    def _finished(study: optuna.Study) -> int:
        return len(study.get_trials(deepcopy=False, states=FINISHED))

    def _time_text(self, study: optuna.Study) -> str:
        if self.clock is None:
            return f"{shown_time(time.time() - self.started)} spent"
        return (f"{shown_time(time.time() - self.started)} spent, {shown_time(self.clock.search_left(study))} of "
                f"{shown_time(self.clock.deadline.seconds)} left")

    def _show_time(self, study: optuna.Study) -> None:
        if self.live and self.clock is not None:
            self.bar.set_postfix_str(self._time_text(study))

    def _summary(self, study: optuna.Study) -> None:
        """In a log: one line every few trials or every minute, and once the budget is reached."""
        due = self.finished - self.said >= SUMMARY_TRIALS or time.time() - self.said_at >= SUMMARY_SECONDS
        if due or (self.finished >= self.budget and self.said < self.budget):
            print(f"study {self.name}: {self.finished} of {self.budget} trials finished, {self._time_text(study)}",
                  file=self.stream, flush=True)
            self.said, self.said_at = self.finished, time.time()

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        self.finished = min(self._finished(study), self.budget)
        if not self.live:
            self._summary(study)
            return
        self._show_time(study)
        self.bar.update(self.finished - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def resizing_progress(label: str, stream: TextIO | None = None):
    """A ``(done, total)`` callback for the size cache: a bar on a terminal, one line at the start and the end
    in a log."""
    stream = stream or sys.stderr
    bar: dict[str, tqdm] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, desc=label, unit="img", leave=False, file=stream,
                              disable=not is_terminal(stream))
            if not is_terminal(stream):
                print(f"{label}: {total:,} images", file=stream, flush=True)
        bar["bar"].update(done - bar["bar"].n)
        if done == total:
            bar["bar"].close()
            if not is_terminal(stream):
                print(f"{label}: done", file=stream, flush=True)

    return update
