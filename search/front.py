"""The Pareto front of a study as rows, a text table and JSON."""

from __future__ import annotations

import json

import optuna


def front_rows(study: optuna.Study) -> list[dict]:
    """One row per feasible Pareto-optimal trial, smallest model first."""
    rows = []
    for trial in sorted(study.best_trials, key=lambda t: (t.values[1], -t.values[0])):
        config = trial.user_attrs.get("config", {})
        arch = config.get("architecture", {})
        rows.append({
            "trial": trial.number,
            "family": arch.get("family"),
            "image_size": config.get("image_size"),
            "generator": config.get("generator"),
            "filters": arch.get("filters"),
            "neurons": arch.get("neurons"),
            "cv_accuracy": trial.values[0],
            "cv_accuracy_std": trial.user_attrs.get("cv_accuracy_std"),
            "params": int(trial.values[1]),
            "training_seconds": trial.user_attrs.get("training_seconds"),
        })
    return rows


def _join(values) -> str:
    return "/".join(map(str, values)) if values else "-"


def format_front(rows: list[dict]) -> str:
    header = ("trial", "family", "size", "gen", "filters", "neurons", "cv accuracy", "params")
    body = [
        (str(r["trial"]), r["family"] or "?", f"{r['image_size']}px", f"G{r['generator']}", _join(r["filters"]),
         _join(r["neurons"]), f"{r['cv_accuracy']:.3f} ± {r['cv_accuracy_std'] or 0:.3f}", f"{r['params']:,}")
        for r in rows
    ]
    widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.rjust(w) if i in (0, 6, 7) else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, body)])


def front_json(rows: list[dict]) -> str:
    return json.dumps(rows, indent=2)
