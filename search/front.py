"""The Pareto front of a study as rows, a text table and JSON."""

from __future__ import annotations

import json

import optuna

from objectives.config import ArchitectureConfig


def front_rows(study: optuna.Study) -> list[dict]:
    """One row per feasible Pareto-optimal trial, smallest model first."""
    rows = []
    for trial in sorted(study.best_trials, key=lambda t: (t.values[1], -t.values[0])):
        config = trial.user_attrs.get("config", {})
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
            "cv_accuracy_std": trial.user_attrs.get("cv_accuracy_std"),
            "params": int(trial.values[1]),
            "training_seconds": trial.user_attrs.get("training_seconds"),
        })
    return rows


def _family(arch: dict) -> str | None:
    """The family, with the plain options that differ from the paper's (``ArchitectureConfig.options``)."""
    if arch.get("family") != "plain":
        return arch.get("family")
    options = ArchitectureConfig(**arch).options  # a trial recorded before the options existed: the paper's
    return f"plain {options}" if options else "plain"


def _join(values) -> str:
    return "/".join(map(str, values)) if values else "-"


def format_front(rows: list[dict]) -> str:
    header = ("trial", "family", "size", "gen", "filters", "neurons", "lr", "cv accuracy", "params")
    body = [
        (str(r["trial"]), r["family"] or "?", f"{r['image_size']}px", f"G{r['generator']}", _join(r["filters"]),
         _join(r["neurons"]), f"{r['learning_rate']:.3g}" if r["learning_rate"] else "?",
         f"{r['cv_accuracy']:.3f} ± {r['cv_accuracy_std'] or 0:.3f}", f"{r['params']:,}")
        for r in rows
    ]
    widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.rjust(w) if i in (0, 7, 8) else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, body)])


def front_json(rows: list[dict]) -> str:
    return json.dumps(rows, indent=2)
