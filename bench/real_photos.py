"""Methods side by side on a photo set's held-out images: hypervolume and the best model under each size.

Every method's result file (``bench/results/photos-<set>-<method>.json``, written by ``bench.baseline`` and
the other methods) lists the models it trained with their held-out test accuracy and parameter count. A
method is scored by the front of those models: the hypervolume of (test accuracy, log10 params) against
the reference accuracy 0 at 10^7 params, and its best accuracy at or below 1k, 10k and 100k params.

    python -m bench.real_photos --set textures
    python -m bench.real_photos --set textures --study NAME --storage URL   # adds the study's front first

A study's front is scored through the project's export step (``export.front_export.export_front``), which
refits each front trial on all search images and scores it on the held-out ones (reusing earlier exports).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.hypervolume import Reference, front, hypervolume
from objectives.errors import UserError

REFERENCE = Reference(accuracy=0.0, log10_params=7.0)
LIMITS = (1_000, 10_000, 100_000)
RESULTS = Path("bench/results")


def score(points: list[tuple[float, int]]) -> dict:
    """Hypervolume and best-under-limit of (test accuracy, params) points; None where nothing fits."""
    best = {f"best_at_{limit}": max((a for a, p in points if p <= limit), default=None) for limit in LIMITS}
    return {"hypervolume": hypervolume(points, REFERENCE), "front": front(points)} | best


def method_points(path: Path) -> tuple[str, list[tuple[float, int]]]:
    """(method name, (test accuracy, params) of every model) from one result file."""
    result = json.loads(path.read_text())
    return result["method"], [(m["test_accuracy"], m["params"]) for m in result["models"]]


def save_study_front(set_name: str, study: str, storage: str, results: Path) -> Path:
    """The study's exported front as a method's result file, so it joins the table like the others."""
    from export.front_export import ExportSettings, export_front

    models = [{"trial": s.trial, "params": s.params, "test_accuracy": s.keras_accuracy, "cv_accuracy": s.cv_accuracy}
              for s in export_front(ExportSettings(study, storage))]
    path = results / f"photos-{set_name}-service.json"
    path.with_suffix(".partial").write_text(json.dumps({"method": "service", "study": study, "models": models}) + "\n")
    path.with_suffix(".partial").replace(path)
    return path


def result_files(set_name: str, results: Path) -> list[Path]:
    """``photos-<set>-<method>.json``: exactly this set's (method names hold no hyphen, set names may)."""
    prefix = f"photos-{set_name}-"
    return sorted(p for p in results.glob(f"{prefix}*.json") if "-" not in p.stem[len(prefix):])


def side_by_side(set_name: str, results: Path = RESULTS) -> str:
    """One row per method found for ``set_name``."""
    files = result_files(set_name, results)
    lines = [f"{'method':<12} {'models':>6} {'hypervolume':>11} {'<=1k':>6} {'<=10k':>6} {'<=100k':>7}"]
    for path in files:
        name, points = method_points(path)
        s = score(points)
        cells = [f"{s[f'best_at_{limit}']:.3f}" if s[f"best_at_{limit}"] is not None else "-" for limit in LIMITS]
        lines.append(f"{name:<12} {len(points):>6} {s['hypervolume']:>11.3f} {cells[0]:>6} {cells[1]:>6} {cells[2]:>7}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.real_photos", description=__doc__.split("\n")[0])
    parser.add_argument("--set", required=True, help="the photo set's name, e.g. textures")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--study", help="a study on this set whose front joins the table (exported first)")
    parser.add_argument("--storage", default="sqlite:///studies/optuna.db")
    args = parser.parse_args(argv)
    if args.study:
        try:
            save_study_front(args.set, args.study, args.storage, args.results)
        except UserError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    if not result_files(args.set, args.results):
        print(f"error: no results for --set {args.set} in {args.results}; run: python -m bench.baseline "
              f"--data cache/photos/{args.set}", file=sys.stderr)
        return 2
    print(side_by_side(args.set, args.results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
