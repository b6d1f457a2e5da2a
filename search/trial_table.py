"""Finished trials as plain rows: the common input of the report's tables and figures."""

from __future__ import annotations

from dataclasses import dataclass

import optuna
from optuna.trial import TrialState

from export.record import ExportSummary


@dataclass(frozen=True)
class TrialRow:
    number: int
    family: str
    image_size: int
    generator: int
    filters: int  # first block: the number the recipe's parameter-reduction sweep varies
    neurons: int  # first hidden dense layer (0: none)
    accuracy: float
    accuracy_std: float
    params: int
    on_front: bool
    export: dict[str, str] | None  # Keras vs TFLite comparison, when this trial was exported


def exported_comparison(study: optuna.Study, number: int) -> dict[str, str] | None:
    """The export step's Keras / float32 / int8 comparison of a trial, if it was exported."""
    summary = ExportSummary.load(study, number)
    return summary.comparison() if summary else None


def trial_rows(study: optuna.Study) -> list[TrialRow]:
    """Every COMPLETE trial, with whether it is on the (feasible) Pareto front."""
    front = {t.number for t in study.best_trials}
    rows = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        config = trial.user_attrs["config"]
        arch = config["architecture"]
        rows.append(TrialRow(
            number=trial.number, family=arch["family"], image_size=config["image_size"],
            generator=config["generator"], filters=arch["filters"][0],
            neurons=arch["neurons"][0] if arch["neurons"] else 0, accuracy=trial.values[0],
            accuracy_std=trial.user_attrs.get("cv_accuracy_std", 0.0), params=int(trial.values[1]),
            on_front=trial.number in front, export=exported_comparison(study, trial.number),
        ))
    return rows


def stop_reason(trial: optuna.trial.FrozenTrial) -> str:
    """Why a trial did not complete, as recorded by the objective (or by Optuna for a crash)."""
    attrs = trial.user_attrs
    return attrs.get("fail_reason") or attrs.get("pruned_reason") or trial.system_attrs.get("fail_reason", "")
