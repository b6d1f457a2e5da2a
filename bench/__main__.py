"""``python -m bench``: the recipe's procedure, random search and the service's default search, measured.

    python -m bench                      # every dataset (one process each, in parallel), then the report
    python -m bench run --dataset digits # one dataset, every seed and method (resumes where it stopped)
    python -m bench report               # BENCHMARKS.md and the plots, from the saved results

Finished runs are saved as JSON in ``bench/results/`` and skipped when the command is run again, so an
interrupted benchmark resumes; the studies themselves live in ``cache/bench/`` (resumable too).
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
from pathlib import Path

from search.cli import quiet_libraries

DATASETS = ("digits", "fashion")
RESULTS = Path("bench/results")
WORK = Path("cache/bench")


def _dataset_folder(name: str, args: argparse.Namespace) -> tuple[Path, int]:
    """(class-per-folder images, number of classes)."""
    if name == "digits":
        from objectives.digits import digits_folder

        return digits_folder(Path("cache")), 10
    from bench.fashion_mnist import CLASS_NAMES, fashion_folder

    return fashion_folder(Path("cache"), args.fashion_per_class), len(CLASS_NAMES)


def _run_dataset(args: argparse.Namespace) -> int:
    from bench.hypervolume import Reference
    from bench.methods import COMPARED, RECIPE, SERVICE, Bench, run_recipe, run_search
    from bench.results_file import RunResult, load_all, measure, result_path, save
    from objectives.data_check import check_data
    from spaces.image_sizes import native_size
    from spaces.space import load_space

    if args.threads:
        from search.run import limit_threads

        limit_threads(args.threads)
    name = args.dataset
    os.environ.setdefault("MLFLOW_TRACKING_URI", f"sqlite:///{(args.work / name / 'mlflow.db').resolve()}")
    (args.work / name).mkdir(parents=True, exist_ok=True)
    folder, classes = _dataset_folder(name, args)
    bench = Bench(args.work, args.epochs, args.folds, args.max_params, args.grid)
    reference = Reference(accuracy=1.0 / classes, log10_params=math.log10(args.max_params))
    settings = {"epochs": args.epochs, "folds": args.folds, "max_params": args.max_params, "share": args.share, "grid": args.grid,
                "data": str(folder), "images": sum(1 for _ in folder.rglob("*.png"))}
    space = load_space().for_native_size(native_size(check_data(folder, args.folds).sizes))

    def done(method: str, seed: int) -> RunResult | None:
        path = result_path(args.results, name, method, seed)
        found = [r for r in load_all(args.results) if r.dataset == name and r.method == method and r.seed == seed]
        return found[0] if path.exists() and found and found[0].settings == settings else None

    def record(study, method, seed, every_fold) -> RunResult:
        result = measure(study, name, method, seed, reference, every_fold, settings)
        print(f"[{name} seed {seed}] {method}: hypervolume {result.final_hypervolume:.3f} with "
              f"{result.compute:,} epoch-images in {result.wall_seconds:.0f} s -> {save(result, args.results)}", flush=True)
        return result

    def baseline_and_service(seed: int) -> RunResult:
        recipe = done(RECIPE.name, seed) or record(
            run_recipe(bench, name, folder, seed, list(space.image_sizes), list(space.generators)), RECIPE.name, seed, True)
        limit = int(args.share * recipe.compute)
        return done(SERVICE.name, seed) or record(run_search(bench, name, folder, SERVICE, seed, limit),
                                                  SERVICE.name, seed, False)

    # The headline comparison (recipe, service, random at equal compute) first for every seed, the other
    # samplers after: an interrupted benchmark then still has the headline over all seeds.
    for methods in (COMPARED[:1], COMPARED[1:]):
        for seed in args.seeds:
            started = time.perf_counter()
            service = baseline_and_service(seed)
            for method in methods:
                if done(method.name, seed) is None:
                    record(run_search(bench, name, folder, method, seed, service.compute), method.name, seed,
                           not method.early_stopping)
            print(f"[{name} seed {seed}] {', '.join(m.name for m in methods)} done in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
    return 0


def _report(args: argparse.Namespace) -> int:
    from bench.report import write_report

    print(f"wrote {write_report(args.results, Path('BENCHMARKS.md'), args.command_line)}")
    return 0


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
    return ["--seeds", *map(str, args.seeds), "--epochs", str(args.epochs), "--folds", str(args.folds),
            "--share", str(args.share), "--max-params", str(args.max_params), "--grid", str(args.grid),
            "--fashion-per-class", str(args.fashion_per_class)]


def _add_shared(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=3, help="per fold, every method (default: %(default)s)")
    parser.add_argument("--folds", type=int, default=5, help="(default: %(default)s)")
    parser.add_argument("--share", type=float, default=0.15,
                        help="the service searches until this share of the recipe's compute (default: %(default)s)")
    parser.add_argument("--max-params", type=int, default=100_000,
                        help="device budget of the service, and the hypervolume's reference size (default: %(default)s)")
    parser.add_argument("--fashion-per-class", type=int, default=100, help="Fashion-MNIST subset (default: %(default)s)")
    parser.add_argument("--grid", type=int, default=19,
                        help="the recipe's reduction sweep: 1..GRID filters x 1..GRID neurons (default: the paper's %(default)s)")
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
    args = parser.parse_args(argv)
    args.command_line = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    handler = {"run": _run_dataset, "report": _report}.get(args.command, _everything)
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
