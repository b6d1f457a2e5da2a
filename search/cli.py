"""``python -m search``: check data, run a study, join it as a worker, print its front."""

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

SKIP_HELP = ("leave unreadable images out of the study (they are listed by path) instead of refusing the data "
             "(default: refuse, since a silently smaller data set changes the results)")


def _add_study_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study", default="default", help="study name (default: %(default)s)")
    parser.add_argument("--storage", default=DEFAULT_STORAGE,
                        help="Optuna storage: a database URL or journal:///path/file.log (default: %(default)s)")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return int(text)


def _add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=_positive, default=None,
                        help="TensorFlow threads for this process (default: all cores); 1 per worker when several share a machine")
    parser.add_argument("--cache", type=Path, default=Path("cache"), help="resized-image cache (default: %(default)s)")


def _run(args: argparse.Namespace) -> int:
    from search.run import RunSettings, run_study

    training = TrainingConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
                              folds=args.folds, seed=args.seed)
    run_study(RunSettings(study=args.study, storage=args.storage, trials=args.trials, data_dir=args.data,
                          space=args.space, training=training, test_fraction=args.test_fraction,
                          sampler=args.sampler, cache_root=args.cache, skip_unreadable=args.skip_unreadable,
                          prepare_only=args.prepare_only))
    return 0


def _worker(args: argparse.Namespace) -> int:
    from search.run import join_study

    join_study(args.study, args.storage, args.cache)
    return 0


def _check_data(args: argparse.Namespace) -> int:
    from objectives.data_check import check_data

    report = check_data(args.data, args.folds, args.test_fraction, args.seed, args.skip_unreadable)
    print(report.render())
    return 1 if report.errors else 0


def _front(args: argparse.Namespace) -> int:
    from search.front import format_front, front_json, front_rows
    from search.study_access import open_study

    rows = front_rows(open_study(args.study, args.storage))
    print(front_json(rows) if args.json else format_front(rows))
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
    run.add_argument("--skip-unreadable", action="store_true", help=SKIP_HELP)
    run.add_argument("--prepare-only", action="store_true",
                     help="check the data, build the caches and record the study, run no trial (then start workers)")
    _add_worker_arguments(run)
    run.set_defaults(handler=_run)

    worker = commands.add_parser("worker", help="join an existing study and run trials until its budget is reached")
    _add_study_arguments(worker)
    _add_worker_arguments(worker)
    worker.set_defaults(handler=_worker)

    check = commands.add_parser("check-data", help="report on a data folder; exit 1 if a study could not use it")
    check.add_argument("data", type=Path, metavar="DIR", help="folder with one sub-folder per class")
    check.add_argument("--folds", type=int, default=defaults.folds, help="CV folds the study will use (default: %(default)s)")
    check.add_argument("--test-fraction", type=float, default=0.15, help="held-out test share (default: %(default)s)")
    check.add_argument("--seed", type=int, default=defaults.seed, help="split seed (default: %(default)s)")
    check.add_argument("--skip-unreadable", action="store_true", help=SKIP_HELP)
    check.set_defaults(handler=_check_data)

    front = commands.add_parser("front", help="print a study's Pareto front")
    _add_study_arguments(front)
    front.add_argument("--json", action="store_true", help="print JSON instead of a table")
    front.set_defaults(handler=_front)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning, module="keras")
    warnings.filterwarnings("ignore", message=".*experimental.*")  # Optuna flags heartbeats and metric names
    try:
        if getattr(args, "study", None) is not None:
            from search.run import check_study_name

            check_study_name(args.study)
        if getattr(args, "threads", None):
            from search.run import limit_threads

            limit_threads(args.threads)
        return args.handler(args)
    except USER_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: finished trials are saved; run the same command again to resume", file=sys.stderr)
        return 130
