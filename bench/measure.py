"""What a finished benchmark study spent and found, read from its Optuna storage alone.

Compute is counted the same way for every method: epochs x training images over every fold a trial
actually trained (``epoch_images``, stored by the objective; a trial refused before training spent 0).
Wall time is the whole sequential run, trial after trial, callbacks and logging included.
"""

from __future__ import annotations

from dataclasses import dataclass

import optuna
from optuna.trial import FrozenTrial, TrialState

from bench.cpu_clock import cpu_seconds
from bench.hypervolume import Reference, hypervolume
from search.scheduler.early_stopping import dominating, optimistic_bound
from search.study import FINISHED, TrialAttr


@dataclass(frozen=True)
class CurvePoint:
    trial: int
    compute: int  # cumulative epochs x images
    wall_seconds: float  # cumulative
    hypervolume: float  # of the complete trials so far
    cpu_seconds: float = 0.0  # cumulative CPU time of the process (bench.cpu_clock); a trial without it: its wall


def finished(study: optuna.Study) -> list[FrozenTrial]:
    return sorted(study.get_trials(deepcopy=False, states=FINISHED), key=lambda t: t.datetime_complete)


def wall_steps(trials: list[FrozenTrial]) -> list[float]:
    """Seconds each trial added to a sequential run: from the previous trial's end (everything between
    trials included), or from its own start for the first trial of a session (a gap of minutes)."""
    steps, previous = [], None
    for trial in trials:
        since_previous = (trial.datetime_complete - previous).total_seconds() if previous else float("inf")
        own = (trial.datetime_complete - trial.datetime_start).total_seconds()
        if trial.state == TrialState.FAIL and TrialAttr.FAIL_REASON not in trial.user_attrs:
            # Left RUNNING by a killed process and failed when the study resumed: its start-to-end spans the
            # outage, and the seconds it really ran died with the process. Count none.
            steps.append(0.0)
        else:
            steps.append(since_previous if since_previous < own + 30 else own)
        previous = trial.datetime_complete
    return steps


def curve(study: optuna.Study, reference: Reference) -> list[CurvePoint]:
    """Hypervolume after every finished trial, against the compute and wall time spent up to it."""
    points, spent, wall, cpu, found = [], 0, 0.0, 0.0, []
    trials = finished(study)
    clock = cpu_seconds(study)
    for trial, step in zip(trials, wall_steps(trials)):
        spent += int(trial.user_attrs.get(TrialAttr.EPOCH_IMAGES, 0))
        wall += step
        cpu += clock.get(trial.number, step)
        if trial.state == TrialState.COMPLETE:
            found.append((trial.values[0], int(trial.values[1])))
        points.append(CurvePoint(trial.number, spent, wall, hypervolume(found, reference), cpu))
    return points


def compute_to_reach(points: list[CurvePoint], target: float) -> int | None:
    """The compute at which the curve first reaches ``target`` hypervolume (None: never)."""
    return next((p.compute for p in points if p.hypervolume >= target - 1e-12), None)


def wall_to_reach(points: list[CurvePoint], target: float) -> float | None:
    """The wall time (seconds) at which the curve first reaches ``target`` hypervolume (None: never)."""
    return next((p.wall_seconds for p in points if p.hypervolume >= target - 1e-12), None)


def cpu_to_reach(points: list[CurvePoint], target: float) -> float | None:
    """The CPU time (seconds) at which the curve first reaches ``target`` hypervolume (None: never)."""
    return next((p.cpu_seconds for p in points if p.hypervolume >= target - 1e-12), None)


def hypervolume_at(points: list[CurvePoint], compute: int) -> float:
    """The hypervolume found with at most ``compute`` spent."""
    return max((p.hypervolume for p in points if p.compute <= compute), default=0.0)


def hypervolume_by_wall(points: list[CurvePoint], seconds: float) -> float:
    """The hypervolume found within ``seconds`` of wall time."""
    return max((p.hypervolume for p in points if p.wall_seconds <= seconds), default=0.0)


def budgets_behind(mine: list[CurvePoint], theirs: list[CurvePoint], up_to: float,
                   axis: str = "compute") -> list[float]:
    """The budgets, up to ``up_to``, at which ``mine`` has found less hypervolume than ``theirs``; a budget is
    compute (epoch-images) or, with ``axis="wall_seconds"``, wall time.

    Budgets are every point at which either curve steps (between steps neither changes), so an empty
    list means ahead or level at every budget."""
    def found(points: list[CurvePoint], budget: float) -> float:
        return max((p.hypervolume for p in points if getattr(p, axis) <= budget), default=0.0)

    budgets = sorted({getattr(p, axis) for p in mine + theirs if getattr(p, axis) <= up_to})
    return [b for b in budgets if found(mine, b) < found(theirs, b) - 1e-12]


@dataclass(frozen=True)
class Overhead:
    wall_seconds: float
    fit_seconds: float  # inside ``fit``: training the folds
    evaluate_seconds: float  # scoring the validation folds

    @property
    def share_outside_fit(self) -> float:
        return 1.0 - self.fit_seconds / self.wall_seconds

    @property
    def share_outside_cv(self) -> float:
        """Neither training nor validating: sampling, data, building, storage, logging, reporting."""
        return 1.0 - (self.fit_seconds + self.evaluate_seconds) / self.wall_seconds


def overhead(study: optuna.Study) -> Overhead:
    trials = finished(study)
    fit = sum(float(t.user_attrs.get(TrialAttr.FIT_SECONDS, 0.0)) for t in trials)
    folds = sum(float(t.user_attrs.get(TrialAttr.TRAINING_SECONDS, t.user_attrs.get(TrialAttr.FIT_SECONDS, 0.0)))
                for t in trials)
    return Overhead(sum(wall_steps(trials)), fit, folds - fit)


@dataclass(frozen=True)
class EarlyStoppingReplay:
    pruned: int  # trials the rule would have stopped
    compute_saved: int  # epochs x images of the folds it would have skipped
    compute_total: int
    hypervolume_full: float  # of every complete trial
    hypervolume_kept: float  # of the trials the rule would have let finish


def replay_early_stopping(study: optuna.Study, reference: Reference, margin: float) -> EarlyStoppingReplay:
    """Replay the fold-level early stopping on a study that trained every fold of every trial.

    Trials are taken in the order they ran; a trial the rule stops after some fold does not join the
    front later trials are judged against, exactly as in a live study. The hypervolume of the kept
    trials against all of them is the front quality the rule would have lost.
    """
    kept: list[tuple[float, int]] = []
    everything: list[tuple[float, int]] = []
    pruned = saved = total = 0
    for trial in finished(study):
        if trial.state != TrialState.COMPLETE:
            continue
        folds = trial.user_attrs[TrialAttr.FOLD_ACCURACIES]
        per_fold = int(trial.user_attrs[TrialAttr.EPOCH_IMAGES]) // len(folds)
        total += per_fold * len(folds)
        point = (trial.values[0], int(trial.values[1]))
        everything.append(point)
        stopped_after = next((k for k in range(1, len(folds))
                              if dominating(kept, optimistic_bound(folds[:k], len(folds), margin), point[1])), None)
        if stopped_after is None:
            kept.append(point)
        else:
            pruned += 1
            saved += per_fold * (len(folds) - stopped_after)
    return EarlyStoppingReplay(pruned, saved, total, hypervolume(everything, reference), hypervolume(kept, reference))
