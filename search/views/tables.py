"""Finished trials and the front as plain rows and text: the common input of the tables, figures and report."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import optuna
from optuna.trial import FrozenTrial, TrialState

from search.study import (
    ExportSummary,
    TrialAttr,
    at_chance,
    chance,
    config_dict,
    front_order,
    pareto_front,
    state_name,
    stop_reason,
)


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
    macs: int | None  # multiply-accumulates of one inference (None: recorded before MACs were)
    at_chance: bool  # no better than guessing one class (search.study.front.at_chance)
    on_front: bool
    export: dict[str, str] | None  # Keras vs TFLite comparison, when this trial was exported


def exported_comparison(user_attrs: dict, number: int) -> dict[str, str] | None:
    """The export step's Keras / float32 / int8 comparison of a trial, if it was exported; ``user_attrs``: the
    study's, read once for all its trials."""
    summary = ExportSummary.of(user_attrs, number)
    return summary.comparison() if summary else None


def trial_rows(study: optuna.Study) -> list[TrialRow]:
    """Every COMPLETE trial, with whether it is on the (feasible) Pareto front."""
    front, level = {t.number for t in pareto_front(study)}, chance(study)
    # The study's attributes read once for every trial's export summary: each ``study.user_attrs`` is a storage
    # query and a deep copy (1,000 trials: 1.4 s read per trial, 0.3 s once).
    attrs_once, rows = study.user_attrs, []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        config = config_dict(trial)
        arch = config["architecture"]
        rows.append(TrialRow(
            number=trial.number, family=arch["family"], image_size=config["image_size"],
            generator=config["generator"], filters=arch["filters"][0],
            neurons=arch["neurons"][0] if arch["neurons"] else 0, accuracy=trial.values[0],
            accuracy_std=trial.user_attrs.get(TrialAttr.CV_ACCURACY_STD, 0.0), params=int(trial.values[1]),
            macs=trial.user_attrs.get(TrialAttr.MACS), at_chance=at_chance(trial.values[0], level),
            on_front=trial.number in front, export=exported_comparison(attrs_once, trial.number),
        ))
    return rows


def front_of(rows: list[TrialRow]) -> list[TrialRow]:
    """The rows on the front, in ``front_order`` as the front table and the export list them."""
    return sorted((r for r in rows if r.on_front), key=lambda r: front_order(r.accuracy, r.params))


def outcome(trial: FrozenTrial) -> str:
    """How a trial ended, in the words the report counts it by (the rung and early stops by fidelity)."""
    attrs, reason = trial.user_attrs, stop_reason(trial)
    if trial.state != TrialState.PRUNED:
        if TrialAttr.INTERRUPTED in attrs:
            return f"interrupted by {attrs[TrialAttr.INTERRUPTED]}: queued again"
        return {TrialState.COMPLETE: "complete: every fold trained"}.get(trial.state, trial.state.name.lower())
    if TrialAttr.PRUNED_AT_RUNG in attrs:
        folds = attrs[TrialAttr.PRUNED_AT_RUNG]
        return f"stopped at the rung of {folds} fold{'s' if folds > 1 else ''}: ranked out by Pareto rank"
    if TrialAttr.PRUNED_BOUND in attrs:
        return f"stopped after fold {attrs.get(TrialAttr.PRUNED_AFTER_FOLD)}: the front out of reach"
    for start, words in (("infeasible", "infeasible: never trained"),
                         ("over budget", "over a device budget: never trained"),
                         ("not trained: estimated", "longer than the time left: never trained")):
        if reason.startswith(start):
            return words
    return "stopped: " + (reason.split(":")[0] or "no reason recorded")


def state_counts(study: optuna.Study) -> str:
    """'12 complete, 3 pruned, 1 interrupted, ...': trials by state, an interrupted trial not counted as failed."""
    counts = Counter(state_name(t).lower() for t in study.get_trials(deepcopy=False))
    return ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "no trials"


def outcomes(study: optuna.Study) -> list[tuple[str, int]]:
    """Trials counted by how they ended, most common first."""
    counts = Counter(outcome(t) for t in study.get_trials(deepcopy=False))
    return counts.most_common()


def _join(values) -> str:
    return "/".join(map(str, values)) if values else "-"


def format_front(rows: list[dict]) -> str:
    header = ("trial", "family", "size", "gen", "filters", "neurons", "lr", "cv accuracy", "params", "MACs", "")
    body = [
        (str(r["trial"]), r["family"] or "?", f"{r['image_size']}px", f"G{r['generator']}", _join(r["filters"]),
         _join(r["neurons"]), f"{r['learning_rate']:.3g}" if r["learning_rate"] else "?",
         f"{r['cv_accuracy']:.3f} ± {r['cv_accuracy_std'] or 0:.3f}", f"{r['params']:,}", macs_text(r.get("macs")),
         CHANCE_MARK if r.get("at_chance") else "")
        for r in rows
    ]
    widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.rjust(w) if i in (0, 7, 8, 9) else c.ljust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join(text.rstrip() for text in [line(header), line(["-" * w for w in widths]), *map(line, body)])


CHANCE_MARK = "at chance: not a model"  # a front row no better than guessing one class


def macs_text(macs: int | None) -> str:
    """``1.2M`` / ``35.4k`` / ``812``; ``?`` for a trial recorded before MACs were."""
    if not macs:
        return "?"
    for size, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if macs >= size:
            return f"{macs / size:.1f}{unit}"
    return str(macs)


def front_json(rows: list[dict]) -> str:
    return json.dumps(rows, indent=2)
