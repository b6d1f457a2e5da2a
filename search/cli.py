"""``python -m search``: run a study, print its front, sync it into MLflow (more commands join as they are built)."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from objectives.config import TrainingConfig
from search.errors import USER_ERRORS
from search.samplers import DEFAULT_SAMPLER, SAMPLERS
from search.storage import DEFAULT_STORAGE
from spaces.space import DEFAULT_SPACE


def _add_study_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study", default="default", help="study name (default: %(default)s)")
    parser.add_argument("--storage", default=DEFAULT_STORAGE, help="Optuna storage URL (default: %(default)s)")


def _run(args: argparse.Namespace) -> int:
    from search.run import RunSettings, run_study

    training = TrainingConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
                              folds=args.folds, seed=args.seed)
    run_study(RunSettings(study=args.study, storage=args.storage, trials=args.trials, data_dir=args.data,
                          space=args.space, training=training, test_fraction=args.test_fraction,
                          sampler=args.sampler, cache_root=args.cache, mlflow=not args.no_mlflow))
    return 0


def _front(args: argparse.Namespace) -> int:
    from search.front import format_front, front_json, front_rows
    from search.study_access import open_study

    rows = front_rows(open_study(args.study, args.storage))
    print(front_json(rows) if args.json else format_front(rows))
    return 0


def _sync_mlflow(args: argparse.Namespace) -> int:
    from search.study_access import open_study
    from search.tracking import sync_study

    print(sync_study(open_study(args.study, args.storage), args.storage))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m search", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run or resume a study until it has --trials trials")
    _add_study_arguments(run)
    defaults = TrainingConfig()
    run.add_argument("--data", type=Path, default=None,
                     help="folder with one sub-folder per class (default: the study's own, else the bundled digits)")
    run.add_argument("--trials", type=int, default=20, help="total trial budget of the study (default: %(default)s)")
    run.add_argument("--space", type=Path, default=DEFAULT_SPACE, help="search-space file (default: %(default)s)")
    run.add_argument("--folds", type=int, default=defaults.folds, help="stratified CV folds (default: %(default)s)")
    run.add_argument("--epochs", type=int, default=defaults.epochs, help="epochs per fold (default: %(default)s)")
    run.add_argument("--batch-size", type=int, default=defaults.batch_size, help="(default: %(default)s)")
    run.add_argument("--learning-rate", type=float, default=defaults.learning_rate, help="Adam (default: %(default)s)")
    run.add_argument("--seed", type=int, default=defaults.seed, help="split, folds, sampler, init (default: %(default)s)")
    run.add_argument("--test-fraction", type=float, default=0.15, help="held-out test share (default: %(default)s)")
    run.add_argument("--sampler", choices=SAMPLERS, default=DEFAULT_SAMPLER, help="(default: %(default)s)")
    run.add_argument("--cache", type=Path, default=Path("cache"), help="resized-image cache (default: %(default)s)")
    run.add_argument("--no-mlflow", action="store_true",
                     help="do not log to MLflow (sync-mlflow can add the study later)")
    run.set_defaults(handler=_run)

    front = commands.add_parser("front", help="print a study's Pareto front")
    _add_study_arguments(front)
    front.add_argument("--json", action="store_true", help="print JSON instead of a table")
    front.set_defaults(handler=_front)

    sync = commands.add_parser("sync-mlflow", help="bring MLflow up to date with a study's Optuna storage "
                                                   "(MLFLOW_TRACKING_URI, else mlflow/mlflow.db)")
    _add_study_arguments(sync)
    sync.set_defaults(handler=_sync_mlflow)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning, module="keras")
    warnings.filterwarnings("ignore", message=".*experimental.*")  # Optuna flags heartbeats and metric names
    try:
        return args.handler(args)
    except USER_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: finished trials are saved; run the same command again to resume", file=sys.stderr)
        return 130
