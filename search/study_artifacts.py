"""A study's plots and tables as files, for the parent run in MLflow (and any other record of the study)."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import optuna
from optuna.trial import TrialState

from search.front import front_rows

FRONT_CSV = "pareto_front.csv"
FRONT_PNG = "pareto_front.png"


def write_front_csv(study: optuna.Study, path: Path) -> Path:
    """The Pareto front as ``search.front`` sees it, lists written as ``8/16`` so a spreadsheet keeps them whole."""
    rows = front_rows(study)
    columns = list(rows[0]) if rows else ["trial", "cv_accuracy", "params"]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "/".join(map(str, v)) if isinstance(v, (list, tuple)) else v for k, v in row.items()})
    return path


def write_front_plot(study: optuna.Study, path: Path) -> Path | None:
    """Every completed trial with the front highlighted; parameters on a log axis (they span decades).
    None when no trial has completed yet (there is nothing to plot)."""
    if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        return None
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers, and safe outside the main thread
    import matplotlib.pyplot as plt
    from optuna.visualization.matplotlib import plot_pareto_front

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        axes = plot_pareto_front(study, target_names=study.metric_names)
    axes.set_yscale("log")
    axes.set_title(f"Pareto front of study {study.study_name}")
    axes.figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(axes.figure)
    return path


def write_study_artifacts(study: optuna.Study, folder: Path) -> list[Path]:
    """Every study-level artifact that can be made now, written into ``folder``."""
    written = [write_front_csv(study, folder / FRONT_CSV), write_front_plot(study, folder / FRONT_PNG)]
    return [path for path in written if path is not None]
