"""``python -m bench``: the recipe's procedure, random search and the service's default search, measured.

    python -m bench                      # every dataset (one process each, in parallel), then the report
    python -m bench run --dataset digits # one dataset, every seed and method (resumes where it stopped)
    python -m bench report               # BENCHMARKS.md and the plots, from the saved results
    python -m bench photos               # the real-photo case (bench.photos_case): 10 minutes a method and set

Finished runs are saved as JSON in ``bench/results/`` with the settings that produced them, and skipped when
the command is run again with the same settings, so an interrupted benchmark resumes; the studies themselves
live in ``cache/bench/`` (resumable too). Settings are kept per method (``bench.runner``): the recipe's runs,
the one-off cost (15 epochs per fold on a 9 x 9 grid: hours), are reused as long as the recipe's own settings
are unchanged, while a change of the service's settings re-runs only the service and the searches compared
with it. After a code change that settings do not show, ``--rerun service random`` runs those again.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.methods import METHODS, RECIPE_EPOCHS, SERVICE_EPOCHS
from bench.photos_case import METHODS as PHOTO_METHODS
from bench.photos_case import SETS as PHOTO_SETS
from bench.recipe import THINNED_GRID
from search.cli import quiet_libraries

DATASETS = ("digits", "fashion")
RESULTS = Path("bench/results")
WORK = Path("cache/bench")
METHOD_NAMES = tuple(m.name for m in METHODS)


def _dataset_folder(name: str, args: argparse.Namespace) -> tuple[Path, int]:
    """(class-per-folder images, number of classes)."""
    if name == "digits":
        from objectives.data.digits import digits_folder

        return digits_folder(Path("cache")), 10
    from bench.fashion_mnist import CLASS_NAMES, fashion_folder

    return fashion_folder(Path("cache"), args.fashion_per_class), len(CLASS_NAMES)


def _run_dataset(args: argparse.Namespace) -> int:
    from bench.methods import Bench
    from bench.runner import Plan, run_dataset

    if args.threads:
        from search.runner.run import limit_threads

        limit_threads(args.threads)
    name = args.dataset
    os.environ.setdefault("MLFLOW_TRACKING_URI", f"sqlite:///{(args.work / name / 'mlflow.db').resolve()}")
    (args.work / name).mkdir(parents=True, exist_ok=True)
    folder, classes = _dataset_folder(name, args)
    bench = Bench(args.work, args.folds, args.max_params, tuple(args.grid), args.recipe_epochs, args.service_epochs)
    started = time.perf_counter()
    run_dataset(Plan(bench, name, folder, classes, args.results, tuple(args.seeds), args.share, tuple(args.methods),
                     tuple(args.rerun)))
    print(f"[{name}] done in {time.perf_counter() - started:.0f} s", flush=True)
    return 0


def _report(args: argparse.Namespace) -> int:
    from bench.report import write_report

    print(f"wrote {write_report(args.results, Path('BENCHMARKS.md'), args.command_line)}")
    return 0


def _photos(args: argparse.Namespace) -> int:
    from bench.photos_case import run_case

    return run_case(tuple(args.sets), args.minutes, tuple(args.rerun), args.results, args.root)


def _everything(args: argparse.Namespace) -> int:
    """One process per dataset (one TensorFlow thread each, on a 2-core machine), then the report."""
    args.results.mkdir(parents=True, exist_ok=True)
    children = []
    for name in args.datasets:
        log = args.results / f"{name}.log"
        command = [sys.executable, "-m", "bench", "run", "--dataset", name, "--threads", "1", *_shared(args)]
        print(f"{name}: {' '.join(command[1:])}  (log: {log})", flush=True)
        children.append((name, subprocess.Popen(command, stdout=log.open("a"), stderr=subprocess.STDOUT)))
    failed = [name for name, child in children if child.wait() != 0]
    if failed:
        print(f"benchmark failed for {', '.join(failed)}; see their logs in {args.results}", file=sys.stderr)
        return 1
    return _report(args)


def _shared(args: argparse.Namespace) -> list[str]:
    return ["--seeds", *map(str, args.seeds), "--recipe-epochs", str(args.recipe_epochs),
            "--service-epochs", str(args.service_epochs), "--folds", str(args.folds), "--share", str(args.share),
            "--max-params", str(args.max_params), "--grid", *map(str, args.grid),
            "--fashion-per-class", str(args.fashion_per_class), "--methods", *args.methods,
            *(["--rerun", *args.rerun] if args.rerun else [])]


def _add_shared(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--recipe-epochs", type=int, default=RECIPE_EPOCHS,
                        help="per fold, the recipe (the paper's code: %(default)s, Adam at a constant 0.001)")
    parser.add_argument("--service-epochs", type=int, default=SERVICE_EPOCHS,
                        help="per fold, the service and the other searches (the service's default: %(default)s)")
    parser.add_argument("--folds", type=int, default=5, help="(default: %(default)s)")
    parser.add_argument("--share", type=float, default=0.2,
                        help="the service searches until this share of the recipe's wall time (default: %(default)s)")
    parser.add_argument("--max-params", type=int, default=100_000,
                        help="device budget of the service, and the hypervolume's reference size "
                             "(default: %(default)s)")
    parser.add_argument("--fashion-per-class", type=int, default=100,
                        help="Fashion-MNIST subset (default: %(default)s)")
    parser.add_argument("--grid", type=int, nargs="+", default=list(THINNED_GRID),
                        help="the recipe's reduction sweep: these filters x these neurons (default: %(default)s, "
                             "9 of the paper's 1..19)")
    parser.add_argument("--methods", nargs="+", choices=METHOD_NAMES, default=list(METHOD_NAMES),
                        help="what to run (the recipe and the service always run when another method needs them)")
    parser.add_argument("--rerun", nargs="+", choices=METHOD_NAMES, default=[],
                        help="run these again even when a saved result has the same settings "
                             "(e.g. after a code change)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--work", type=Path, default=WORK)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_shared(parser)
    parser.add_argument("--datasets", nargs="+", choices=DATASETS, default=list(DATASETS))
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="one dataset, every seed and method")
    _add_shared(run)
    run.add_argument("--dataset", choices=DATASETS, required=True)
    run.add_argument("--threads", type=int, default=None, help="TensorFlow threads (default: all cores)")
    report = commands.add_parser("report", help="BENCHMARKS.md from the saved results")
    _add_shared(report)
    photos = commands.add_parser("photos", help="the real-photo case: baseline, service and KerasTuner, same wall time")
    photos.add_argument("--sets", nargs="+", default=list(PHOTO_SETS), help="(default: %(default)s)")
    photos.add_argument("--minutes", type=float, default=10.0, help="wall time of each search (default: %(default)s)")
    photos.add_argument("--rerun", nargs="+", choices=PHOTO_METHODS, default=[], help="run these again")
    photos.add_argument("--results", type=Path, default=RESULTS)
    photos.add_argument("--root", type=Path, default=Path("cache/photos"), help="where bench.photo_sets wrote the sets")
    args = parser.parse_args(argv)
    args.command_line = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    handler = {"run": _run_dataset, "report": _report, "photos": _photos}.get(args.command, _everything)
    quiet_libraries()
    try:
        return handler(args)
    except FileNotFoundError as error:  # the Fashion-MNIST package, most likely: the message says what to install
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: finished runs are saved; run the same command again to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
