"""The one place trials run: ``optimise`` takes a study to its budget, for a run and for every worker,
so anything that must happen per trial (logging, reporting, the budget) is wired once."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import optuna
from optuna.trial import FrozenTrial, TrialState
from tqdm import tqdm

from objectives.config import TrainingConfig
from objectives.data.prepared import PreparedData
from objectives.errors import TimeUp
from search.backend.garbage import trial_paced
from search.backend.liveness import reclaim_dead_trials, record_owner, running_elsewhere
from search.backend.local_workers import LocalWorkers, TrialWatcher
from search.backend.signals import TrialGate, signal_name
from search.runner.progress import BudgetProgress
from search.scheduler.time_budget import Deadline, TimeBudget
from search.scheduler.time_budget import shown as shown_time
from search.study import (FINISHED, INTERRUPTED_BY_DEADLINE, REQUEUE, TrialAttr, description, front_rows,
                          record_interrupted, record_pruned, replacements, retry_of, shown, state_name, stop_reason)
from search.tracking.thread import TrackingThread
from search.views.dashboard import upload_learning_curves, write_note
from search.views.dashboard_server import default_artifact_dir
from search.views.tables import format_front
from spaces.space import SearchSpace


class TrialBudget:
    """Stop a worker when the study holds ``budget`` trials, counted across every worker.

    Like ``optuna.study.MaxTrialsCallback``, with two differences it cannot express by trial states:
    a trial lost with its worker (killed, or Ctrl-C) and re-queued as a retry takes one place in the
    budget, not two; and a queued retry is always run, even when the budget is otherwise reached.
    Other queued trials (the start points) take a place only once they run, so they never push a study
    past its budget. Running trials count, so N workers stop at the budget rather than N times it. Two
    workers that check at the same instant both see room and both start a trial (Optuna offers no lock);
    the later one is then ``surplus`` and ends before it trains.
    """

    def __init__(self, budget: int):
        self.budget = budget

    @staticmethod
    def _started(study: optuna.Study) -> list[FrozenTrial]:
        return study.get_trials(deepcopy=False, states=FINISHED + (TrialState.RUNNING,))

    @staticmethod
    def _places(trials: list[FrozenTrial]) -> int:
        """Places in the budget, a retry sharing its place with the trial it re-runs."""
        return len(trials) - sum(retry_of(t) is not None for t in trials)

    def taken(self, study: optuna.Study) -> int:
        """Places taken by trials that ran or run."""
        return self._places(self._started(study))

    def reached(self, study: optuna.Study) -> bool:
        waiting = study.get_trials(deepcopy=False, states=(TrialState.WAITING,))
        retries = [t for t in waiting if retry_of(t) is not None]
        return not retries and self.taken(study) >= self.budget

    def surplus(self, study: optuna.Study, number: int) -> bool:
        """Trial ``number`` is one too many: the trials started before it already fill the budget. Seen in
        1 of 4 runs of two workers started together on equal tiny trials (6 trials for a budget of 5)."""
        trials = self._started(study)
        mine = next((t for t in trials if t.number == number), None)
        if mine is None or retry_of(mine) is not None:  # a retry always runs
            return False
        return self._places([t for t in trials if t.number < number]) >= self.budget

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if self.reached(study):
            study.stop()


def _report_trial(study: optuna.Study, trial: FrozenTrial) -> None:
    """One line per finished trial, printed above the progress bar."""
    what, original = description(trial), retry_of(trial)
    if original is not None:
        what += f" (retry of trial {original})"
    if trial.state == TrialState.COMPLETE:
        attrs = trial.user_attrs
        tqdm.write(f"trial {trial.number:>3}  {what}: cv {trial.values[0]:.3f} ± "
                   f"{attrs[TrialAttr.CV_ACCURACY_STD]:.3f}, "
                   f"{int(trial.values[1]):,} params, {attrs[TrialAttr.TRIAL_SECONDS]:.1f} s")
    else:
        replaced_by = replacements(study.get_trials(deepcopy=False)).get(trial.number) \
            if trial.state == TrialState.FAIL else None
        tqdm.write(f"trial {trial.number:>3}  {what}: {state_name(trial)} {stop_reason(trial, replaced_by)}")


def _requeue_interrupted(study: optuna.Study, number: int | None) -> FrozenTrial | None:
    """Queue an interrupted trial's configuration again, as the heartbeat does for a killed worker's trial;
    the interrupted trial, for its line."""
    interrupted = [t for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,)) if t.number == number]
    if interrupted:
        REQUEUE(study, interrupted[0])
    return interrupted[0] if interrupted else None


def _report_interrupted(study: optuna.Study, number: int | None, announce: bool) -> None:
    """Queue the interrupted trial again and, when ``announce`` (no watcher reports it), print its line."""
    interrupted = _requeue_interrupted(study, number)
    if interrupted is not None and announce:
        _report_trial(study, interrupted)


@dataclass(frozen=True)
class TrialLoop:
    """What one process's trial loop runs on and how it reports: a run and a worker each make one.

    ``local_workers`` starts more trial processes beside this one once there is work; this process then
    reports every trial of the study, theirs too. ``quiet``: no lines, bar or front (such a worker)."""

    space: SearchSpace
    data: PreparedData
    training: TrainingConfig
    budget: int  # trials the study holds when every worker stops
    mlflow: bool = True
    early_stopping: bool = True
    callbacks: Sequence[Callable[[optuna.Study, FrozenTrial], None]] = ()
    local_workers: Callable[[], LocalWorkers] | None = None
    quiet: bool = False


def optimise(study: optuna.Study, storage_url: str, loop: TrialLoop) -> optuna.Study:
    """Run trials until the study holds ``loop.budget`` of them (across all workers) or its time budget (the
    deadline stored in the study, ``search.scheduler.time_budget``) runs out, logging each trial to MLflow and the
    dashboard; print the front. Runs and workers both come through here."""
    from search.runner.objective import Objective  # TensorFlow loads only when trials run

    for line in reclaim_dead_trials(study) + running_elsewhere(study, storage_url):  # at once (search.backend.liveness)
        print(line)
    optuna.storages.fail_stale_trials(study)  # a dead worker's trial is failed and re-queued before counting
    limit = TrialBudget(loop.budget)
    deadline = Deadline.load(study)
    clock = TimeBudget(deadline) if deadline else None
    done = len(study.get_trials(deepcopy=False, states=FINISHED))
    running = len(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)))
    data = loop.data
    print(f"study {study.study_name!r} in {shown(storage_url)}: {done} trials done, {running} running, budget "
          f"{loop.budget}; {len(data.search_indices)} images searched with {loop.training.folds}-fold CV, "
          f"{len(data.test_indices)} held out; classes {', '.join(data.class_names)}")
    if limit.reached(study):
        print("the study has reached its budget; raise TRIALS to run more")
    else:
        artifacts = default_artifact_dir(storage_url)
        objective = Objective(loop.space, data, loop.training, early_stopping=loop.early_stopping,
                              on_trained=lambda t: upload_learning_curves(t, artifacts), time_budget=clock)
        tracking = TrackingThread(study, storage_url) if loop.mlflow else None
        every = [*([tracking] if tracking else []), *loop.callbacks, *([clock] if clock else [])]
        workers = loop.local_workers() if loop.local_workers is not None else None
        _run_trials(study, objective, limit, every, tracking, workers, loop.quiet, clock)
    if not loop.quiet:
        print("\nPareto front (max CV accuracy, min parameters):")
        print(format_front(front_rows(study)))
    return study


def _gated(objective: Callable[[optuna.Trial], tuple[float, int]], gate: TrialGate, current: dict[str, int],
           limit: TrialBudget, clock: TimeBudget | None = None):
    """The objective run inside the gate (Ctrl-C reaches only a running objective), the trial's process
    recorded, and what interrupted it (a signal, the deadline) recorded before Optuna fails it; a trial
    another worker's left surplus, or one that starts past the deadline, ends at once, before it samples or
    trains."""
    def run_trial(trial: optuna.Trial) -> tuple[float, int]:
        current["number"] = trial.number
        late = clock is not None and clock.search_left(trial.study) <= 0
        if late or limit.surplus(trial.study, trial.number):
            reason = ("not run: the study's time budget had run out" if late else
                      f"not run: the study's budget of {limit.budget} trials was filled by other workers meanwhile")
            record_pruned(trial, reason)
            trial.study.stop()
            raise optuna.TrialPruned(reason)
        try:
            with gate.objective():
                record_owner(trial)
                return objective(trial)
        except KeyboardInterrupt as interrupt:
            record_interrupted(trial, signal_name(interrupt))
            raise
        except TimeUp:
            record_interrupted(trial, INTERRUPTED_BY_DEADLINE)
            raise

    return run_trial


def _run_trials(study: optuna.Study, objective: Callable[[optuna.Trial], tuple[float, int]], limit: TrialBudget,
                callbacks: list[Callable[[optuna.Study, FrozenTrial], None]], tracking: TrackingThread | None,
                workers: LocalWorkers | None, quiet: bool, clock: TimeBudget | None = None) -> None:
    """``study.optimize`` until the budget, with the lines, the bar and the local workers around it; on
    Ctrl-C the interrupted trial is queued again and the workers stopped; at the time budget's deadline the
    trial under way is queued again and the search ends as if its budget were reached."""
    from search.runner.objective import TRIAL_FAILURES

    optuna.logging.set_verbosity(optuna.logging.ERROR)  # failures are reported by _report_trial, one line each
    progress = None if quiet else BudgetProgress(study, limit.budget, clock)
    watcher = TrialWatcher(study, lambda s, t: (_report_trial(s, t), progress(s, t))) if workers and progress else None
    reporting = [] if quiet or watcher else [_report_trial, progress]
    gate, current = TrialGate(), {}
    started = time.perf_counter()
    status = "FAILED"
    try:
        # No n_trials: only the budget (shared with other workers) says when to stop. Its check comes last:
        # the other callbacks' time would widen the window in which two workers both see room for one more.
        every = [*reporting, write_note, *callbacks, limit]
        with gate, trial_paced():  # full garbage collections every few trials (search.backend.garbage)
            try:
                study.optimize(_gated(objective, gate, current, limit, clock), catch=TRIAL_FAILURES, callbacks=every)
            except TimeUp:
                _report_interrupted(study, current.get("number"), bool(reporting))
                clock.reason = clock.reason or f"time budget of {shown_time(clock.deadline.seconds)} reached during " \
                                               f"trial {current.get('number')}, which is queued again"
            gate.raise_pending()  # an interrupt that came after the last trial
        problems = workers.wait() if workers else []
        status = "FINISHED"
    except KeyboardInterrupt:
        status = "KILLED"
        _report_interrupted(study, current.get("number"), bool(reporting))
        if workers:
            # a worker that had to be killed left its trial RUNNING
            for line in workers.stop() + reclaim_dead_trials(study):
                print(line, file=sys.stderr)
        raise
    finally:
        for part in (watcher, progress):
            if part:
                part.close()
        if tracking:  # also on Ctrl-C or a crash: what finished is logged, the parent run says how it ended
            tracking.finish(status)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    if clock and clock.reason and not quiet:
        print(clock.reason)
    processes = f"{1 + len(workers.processes)} processes" if workers else "this worker"
    print(f"{processes} ran trials for {time.perf_counter() - started:.0f} s")
