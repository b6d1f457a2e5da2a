"""Live MLflow logging that a study never waits on: one background thread drains a queue of trials.

The Optuna callback only puts the finished ``FrozenTrial`` on the queue (microseconds). If the tracking
server is down or slow, the thread warns once and the study goes on; at the end a bounded flush catches up
with the Optuna storage, and if MLflow is still out of reach it says how many trials are missing and how to
repair that later (``sync-mlflow``).

A trial is logged ``LOG_DELAY_SECONDS`` after it finished, not at once. Logging is mostly Python, and at once
it ran beside the next trial's sampling and model building, also Python, which then waited for the
interpreter lock. Later, the next trial is training in TensorFlow's own threads, which do not hold the lock,
and the per-trial overhead outside training falls (BENCHMARKS.md, "Reading these numbers": `make bench`).
Finishing logs whatever waits at once."""

from __future__ import annotations

import queue
import statistics
import sys
import threading
import time
from collections.abc import Callable

import optuna
from optuna.trial import FrozenTrial
from tqdm import tqdm

from search.study import masked, shown
from search.tracking.settings import tracking_uri

FLUSH_SECONDS = 60.0  # the most the end of a study waits for MLflow to catch up
LOG_DELAY_SECONDS = 3.0  # past the next trial's building and graph tracing (seconds at most) into its training


class TrackingThread:
    """Optuna callback (``study.optimize(callbacks=[thread])``) writing each finished trial to MLflow."""

    def __init__(self, study: optuna.Study, storage: str, flush_seconds: float = FLUSH_SECONDS):
        self.study, self.storage, self.flush_seconds = study, storage, flush_seconds
        self.uri = tracking_uri()
        self.trial_ms: list[float] = []  # MLflow time per trial logged live, spent on this thread
        self.unlogged: set[int] = set()  # trials of this run not (yet) in MLflow
        self.complete = False  # MLflow holds the whole study (set by the final catch-up)
        self._logbook = None
        self._warned = False
        self._stop = threading.Event()
        self._finishing = threading.Event()  # no more waiting for a trial's logging time
        self._tasks: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._drain, name="mlflow-logbook", daemon=True)
        self._tasks.put(self._open)
        self._thread.start()

    def _open(self) -> None:
        """Import MLflow and find or make the experiment and parent run, all off the study's thread; retried
        before every task until it succeeds (the server may come back)."""
        if self._logbook is None:
            from search.tracking.logbook import Logbook

            logbook = Logbook(self.study.study_name, self.storage, self.uri)
            logbook.parent_run_id(self.study)
            logbook.set_parent_status("RUNNING")
            self._logbook = logbook

    def _drain(self) -> None:
        while (task := self._tasks.get()) is not None:
            if not self._stop.is_set():
                try:
                    self._open()
                    task()
                except Exception as error:  # any failure of the tracking server or store: warn once, go on
                    self._warn(error)

    def _warn(self, error: Exception) -> None:
        if not self._warned:
            self._warned = True
            tqdm.write(f"warning: MLflow logging to {masked(self.uri)} failed ({error.__class__.__name__}: "
                       f"{masked(' '.join(str(error).split()))[:500]}); "
                       "the study goes on and keeps every trial in its Optuna storage", file=sys.stderr)

    def _log(self, trial: FrozenTrial, due: float) -> None:
        self._finishing.wait(due - time.monotonic())  # returns at once when already due, or once finishing
        started = time.perf_counter()
        self._logbook.log_trial(trial)
        self.trial_ms.append((time.perf_counter() - started) * 1000)
        self.unlogged.discard(trial.number)

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        self.unlogged.add(trial.number)
        due = time.monotonic() + LOG_DELAY_SECONDS
        self._tasks.put(lambda: self._log(trial, due))

    def _catch_up(self, status: str) -> None:
        """Whatever live logging missed (an outage, trials a heartbeat failed), the study's plots and tables,
        and the parent run's final status."""
        self._logbook.sync(self.study)
        self.unlogged.clear()
        self._logbook.log_study_artifacts(self.study)
        self._logbook.set_parent_status(status)
        self.complete = True

    def finish(self, status: str = "FINISHED") -> bool:
        """Catch up, waiting at most ``flush_seconds``, and report; True when MLflow holds the whole study."""
        self._finishing.set()
        self._tasks.put(lambda: self._catch_up(status))
        self._tasks.put(None)
        self._thread.join(self.flush_seconds)
        self._stop.set()  # a thread still stuck on a slow server drops whatever is left
        self._report()
        return self.complete

    def _report(self) -> None:
        where = f"MLflow {masked(self.uri)} (experiment study/{self.study.study_name})"
        if self.trial_ms:
            print(f"{where}: {len(self.trial_ms)} trials logged live, median {statistics.median(self.trial_ms):.0f} ms "
                  f"per trial (max {max(self.trial_ms):.0f} ms), on a background thread")
        if not self.complete:
            missing = f"{len(self.unlogged)} trials of this run are" if self.unlogged else "the study's record is"
            print(f"{where}: {missing} not logged; every trial is safe in the Optuna storage. Once MLflow is "
                  f"reachable, run: STORAGE={shown(self.storage)!r} python -m search sync-mlflow --study "
                  f"{self.study.study_name}",
                  file=sys.stderr)
