"""A study's plots and tables as files, for the parent run in MLflow (and any other record of the study)."""

from __future__ import annotations

import csv
from pathlib import Path

import optuna

from search.study import front_rows
from search.views.report import write_report

FRONT_CSV = "pareto_front.csv"


def write_front_csv(study: optuna.Study, path: Path) -> Path:
    """The Pareto front as ``search.study.front`` sees it, lists written as ``8/16`` so a spreadsheet keeps them
    whole."""
    rows = front_rows(study)
    columns = list(rows[0]) if rows else ["trial", "cv_accuracy", "params"]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "/".join(map(str, v)) if isinstance(v, (list, tuple)) else v for k, v in row.items()})
    return path


def write_study_artifacts(study: optuna.Study, folder: Path) -> list[Path]:
    """Every study-level artifact: the front as CSV and the HTML report with its figures (the front as PNG
    among them)."""
    write_front_csv(study, folder / FRONT_CSV)
    write_report(study, folder)
    return sorted(path for path in folder.iterdir() if path.suffix in (".csv", ".html", ".png"))
