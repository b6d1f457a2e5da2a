"""The Pareto front of a study as rows, in the order every view shows it (smallest model first)."""

from __future__ import annotations

import numpy as np
import optuna
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial, TrialState

from objectives.architectures.registry import network_label
from objectives.config import ArchitectureConfig
from search.study.trial_record import TrialAttr, config_dict


def chance(study: optuna.Study) -> float | None:
    """The accuracy of guessing one class for every image of balanced classes (None: classes not recorded)."""
    classes = study.user_attrs.get("class_names") or []
    return 1 / len(classes) if classes else None


def at_chance(accuracy: float, level: float | None) -> bool:
    """A network no better than guessing: on the front only for its tiny size, never a model to ship."""
    return level is not None and accuracy <= level + 1e-9


def front_order(accuracy: float, params: float) -> tuple[float, float]:
    """Smallest model first, the more accurate first among equals: the order every view and the export use."""
    return params, -accuracy


def pareto_front(study: optuna.Study) -> list[FrozenTrial]:
    """``study.best_trials`` (the complete, feasible, non-dominated trials, in trial order) from one read of the
    study without copies: Optuna's reads every trial three times and deep-copies them all, most of ``front``'s
    time at 1,000 trials (BENCHMARKS.md, "Commands at 100 and 1,000 trials"). Read-only trials."""
    trials = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
              if all(value <= 0.0 for value in t.constraints.values())]  # no constraints: feasible
    if not trials:
        return []
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in study.directions])
    loss = np.array([t.values for t in trials], dtype=float) * signs
    points, which = np.unique(loss, axis=0, return_inverse=True)  # sorted: the first is never dominated
    on_front, left = np.zeros(len(points), dtype=bool), np.arange(len(points))
    while left.size:  # the first point left is on the front; drop every point it dominates (itself included)
        on_front[left[0]] = True
        left = left[(points[left] < points[left[0]]).any(axis=1)]
    return [trial for trial, index in zip(trials, which.ravel()) if on_front[index]]


def front_trials(study: optuna.Study) -> list[FrozenTrial]:
    """The feasible Pareto front in ``front_order``."""
    return sorted(pareto_front(study), key=lambda t: front_order(*t.values))


def front_rows(study: optuna.Study) -> list[dict]:
    """One row per feasible Pareto-optimal trial, smallest model first; ``at_chance`` marks those no better
    than guessing, so a one-filter model at chance is not read as a model."""
    level = chance(study)
    rows = []
    for trial in front_trials(study):
        config = config_dict(trial)
        arch = config.get("architecture", {})
        rows.append({
            "trial": trial.number,
            "family": _family(arch),
            "image_size": config.get("image_size"),
            "generator": config.get("generator"),
            "filters": arch.get("filters"),
            "neurons": arch.get("neurons"),
            "learning_rate": config.get("training", {}).get("learning_rate"),
            "cv_accuracy": trial.values[0],
            "cv_accuracy_std": trial.user_attrs.get(TrialAttr.CV_ACCURACY_STD),
            "params": int(trial.values[1]),
            "at_chance": at_chance(trial.values[0], level),
            "macs": trial.user_attrs.get(TrialAttr.MACS),
            "training_seconds": trial.user_attrs.get(TrialAttr.TRAINING_SECONDS),
            "folds": len(trial.user_attrs.get(TrialAttr.FOLD_ACCURACIES, [])),
        })
    return rows


def _family(arch: dict) -> str | None:
    """The family and what sets the network apart within it, as trial descriptions show it
    (``network_label``); None for a trial recorded without its configuration."""
    return network_label(ArchitectureConfig.from_dict(arch)) if arch else None
