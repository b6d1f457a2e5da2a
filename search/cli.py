"""``python -m search``: check data, run a study or join it as a worker, report it, sync it into MLflow,
export its front to TFLite and promote a trial to a phone build."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from pathlib import Path

from objectives.config import MAX_LEARNING_RATE, TEST_FRACTION, TrainingConfig
from objectives.errors import UserError
from objectives.data.paths import CACHE_ROOT
from search import commands
from search.scheduler.samplers import DEFAULT_SAMPLER, SAMPLERS
from search.backend.signals import exit_code, interrupt_message, terminate_like_ctrl_c
from search.study import DEFAULT_AUTHOR, DEFAULT_BUILDS, DEFAULT_EXPORTS, DEFAULT_STORAGE
from spaces.space import DEFAULT_SPACE

SKIP_HELP = ("leave unreadable images out of the study (they are listed by path) instead of refusing the data "
             "(default: refuse, since a silently smaller data set changes the results)")


STORAGE_HELP = (f"Optuna storage: a database URL or journal:///path/file.log (default: the STORAGE environment "
                f"variable, else {DEFAULT_STORAGE}); a URL with a password belongs in STORAGE, not here, since "
                "every local user can read a command line")


def _add_storage_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--storage", default=None, help=STORAGE_HELP)


def _add_study_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study", default="default", help="study name (default: %(default)s)")
    _add_storage_argument(parser)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return int(text)


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= MAX_LEARNING_RATE:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a number in (0, {MAX_LEARNING_RATE:g}], got {text!r}")
    return value


def _duration(text: str) -> float:
    from objectives.errors import SettingError
    from search.scheduler.time_budget import parse_duration

    try:
        return parse_duration(text)
    except SettingError as error:
        raise argparse.ArgumentTypeError(str(error).split(": ", 1)[1]) from None


def _add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=_positive, default=None,
                        help="TensorFlow threads for this process (default: all cores); 1 per worker when several "
                             "share a machine")
    parser.add_argument("--cache", type=Path, default=CACHE_ROOT, help="resized-image cache (default: %(default)s)")


def _add_export_arguments(parser: argparse.ArgumentParser) -> None:
    _add_study_arguments(parser)
    parser.add_argument("--exports", type=Path, default=DEFAULT_EXPORTS,
                        help="exports go in EXPORTS/<study>/exports/trial-<n>/ (default: %(default)s)")
    parser.add_argument("--cache", type=Path, default=CACHE_ROOT, help="resized-image cache (default: %(default)s)")
    parser.add_argument("--author", default=DEFAULT_AUTHOR,
                        help="author written into the TFLite metadata (default: %(default)s)")


def _add_run_parser(subcommands) -> None:
    """``run``: the one command with many settings, hence its own function."""
    run = subcommands.add_parser("run", help="run or resume a study until it has --trials trials")
    _add_study_arguments(run)
    defaults = TrainingConfig()
    run.add_argument("--data", type=Path, default=None,
                     help="folder with one sub-folder per class (default: the study's own, else the bundled digits)")
    run.add_argument("--trials", type=int, default=20, help="total trial budget of the study (default: %(default)s)")
    run.add_argument("--space", type=Path, default=DEFAULT_SPACE, help="search-space file (default: %(default)s)")
    run.add_argument("--folds", type=int, default=defaults.folds, help="stratified CV folds (default: %(default)s)")
    run.add_argument("--epochs", type=int, default=defaults.epochs,
                     help="epochs per fold; the learning rate decays to 0 over them (default: %(default)s)")
    run.add_argument("--batch-size", type=int, default=defaults.batch_size, help="(default: %(default)s)")
    run.add_argument("--learning-rate", type=_rate, default=None,
                     help=f"peak Adam rate for every trial (default: searched when the space has learning_rate, "
                          f"else {defaults.learning_rate})")
    run.add_argument("--seed", type=int, default=defaults.seed,
                     help="split, folds, sampler, init (default: %(default)s)")
    run.add_argument("--test-fraction", type=float, default=TEST_FRACTION,
                     help="held-out test share (default: %(default)s)")
    run.add_argument("--sampler", choices=SAMPLERS, default=DEFAULT_SAMPLER, help="(default: %(default)s)")
    run.add_argument("--skip-unreadable", action="store_true", help=SKIP_HELP)
    run.add_argument("--prepare-only", action="store_true",
                     help="check the data, build the caches and record the study, run no trial (then start workers)")
    _add_worker_arguments(run)
    run.add_argument("--jobs", type=_positive, default=None,
                     help="trial processes on this machine sharing the study (default: one per core, at most 4); "
                          "needs a storage several processes may write: SQLite, PostgreSQL or a journal file")
    run.add_argument("--no-mlflow", action="store_true",
                     help="do not log to MLflow (sync-mlflow can add the study later)")
    run.add_argument("--time", type=_duration, default=None,
                     help="wall-time budget of the search, e.g. 90s, 10m, 1h30m (with --trials: whichever ends first); "
                          "the trial under way at the deadline is queued again")
    run.add_argument("--reserve-export", action="store_true",
                     help="the time budget also covers exporting the front afterwards (make study passes it)")
    run.add_argument("--max-params", type=_positive, default=None,
                     help="device budget: parameters (over the space file's)")
    run.add_argument("--max-macs", type=_positive, default=None,
                     help="device budget: multiply-accumulates of one inference (over the space file's)")
    run.add_argument("--max-int8-kb", type=float, default=None, help="device budget: int8 .tflite size in KB")
    run.add_argument("--max-latency-ms", type=float, default=None,
                     help="device budget: single-thread LiteRT latency of the int8 model on this machine")
    run.add_argument("--no-start-points", action="store_true",
                     help="a new study starts with the sampler alone, not with the recipe's Model 1 and its halvings")
    run.add_argument("--no-early-stopping", action="store_true",
                     help="train every fold of every trial, even when a trial can no longer reach the front")
    run.set_defaults(handler=commands.run)


def _add_export_parsers(subcommands) -> None:
    """``export`` and ``promote``: the phone side, sharing the export settings."""
    export = subcommands.add_parser("export", help="refit, convert, verify and report every Pareto-front trial")
    _add_export_arguments(export)
    export.set_defaults(handler=commands.export)

    promote = subcommands.add_parser("promote", help="write a phone build of one trial and register it in MLflow")
    _add_export_arguments(promote)
    promote.add_argument("--trial", type=int, required=True, help="trial number (make front lists the front)")
    promote.add_argument("--force", action="store_true", help="allow a COMPLETE trial that is not on the front")
    promote.add_argument("--builds", type=Path, default=DEFAULT_BUILDS,
                         help="the build goes in BUILDS/<study>/trial-<n>/ (default: %(default)s)")
    promote.set_defaults(handler=commands.promote)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m search", description=__doc__)
    subcommands = parser.add_subparsers(dest="command", required=True)

    _add_run_parser(subcommands)

    worker = subcommands.add_parser("worker", help="join an existing study and run trials until its budget is reached")
    _add_study_arguments(worker)
    _add_worker_arguments(worker)
    worker.add_argument("--spawned", type=int, default=0, help=argparse.SUPPRESS)  # started by run --jobs
    worker.set_defaults(handler=commands.worker)

    check = subcommands.add_parser("check-data", help="report on a data folder; exit 1 if a study could not use it")
    check.add_argument("data", type=Path, metavar="DIR", help="folder with one sub-folder per class")
    check.add_argument("--folds", type=int, default=TrainingConfig().folds,
                       help="CV folds the study will use (default: %(default)s)")
    check.add_argument("--test-fraction", type=float, default=TEST_FRACTION,
                       help="held-out test share (default: %(default)s)")
    check.add_argument("--seed", type=int, default=TrainingConfig().seed, help="split seed (default: %(default)s)")
    check.add_argument("--skip-unreadable", action="store_true", help=SKIP_HELP)
    check.set_defaults(handler=commands.check_data_folder)

    front = subcommands.add_parser("front", help="print a study's Pareto front")
    _add_study_arguments(front)
    front.add_argument("--json", action="store_true", help="print JSON instead of a table")
    front.set_defaults(handler=commands.front)

    report = subcommands.add_parser("report", help="write the study's HTML report and print its front")
    _add_study_arguments(report)
    report.add_argument("--out", type=Path, default=None, help="folder (default: reports/<study>)")
    report.add_argument("--no-mlflow", action="store_true",
                        help="do not attach the report to the study's MLflow parent run")
    report.set_defaults(handler=commands.report)

    dashboard = subcommands.add_parser("dashboard", help="serve optuna-dashboard for a storage, with trial artifacts")
    _add_storage_argument(dashboard)
    dashboard.add_argument("--port", type=int, default=8080, help="(default: %(default)s)")
    dashboard.add_argument("--host", default="127.0.0.1",
                           help="address to bind (default: %(default)s, this machine only; 0.0.0.0 exposes it)")
    dashboard.add_argument("--artifact-dir", type=Path, default=None, help="(default: beside the SQLite file)")
    dashboard.set_defaults(handler=commands.dashboard)

    sync = subcommands.add_parser("sync-mlflow", help="bring MLflow up to date with a study's Optuna storage "
                                                   "(MLFLOW_TRACKING_URI, else mlflow/mlflow.db)")
    _add_study_arguments(sync)
    sync.set_defaults(handler=commands.sync_mlflow)

    _add_export_parsers(subcommands)
    return parser


def quiet_libraries() -> None:
    """Keep the libraries' routine chatter out of the per-trial lines and tables people read."""
    warnings.filterwarnings("ignore", category=UserWarning, module="keras")
    warnings.filterwarnings("ignore", message=".*experimental.*")  # Optuna flags heartbeats and metric names
    # MLflow's INFO lines ("Creating initial MLflow database tables") are noise here. Its import sets its
    # loggers' level from MLFLOW_LOGGING_LEVEL, so a level set before the import alone would be undone.
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    # On a failed write (a read-only store) MLflow logs its caught exception with a 30-line traceback, then
    # raises it; the one-line warning of search.tracking.thread already says what failed.
    logging.getLogger("mlflow.store.db.utils").setLevel(logging.CRITICAL)
    # retracing notices: one model is traced per trial by design
    logging.getLogger("tensorflow").setLevel(logging.ERROR)


def _storage(given: str | None) -> str:
    """``--storage``, else ``STORAGE`` from the environment: what make and spawned workers use, so that a
    database password never stands in the process list. Given on the command line with a password: a warning."""
    from search.study import PASSWORD_IN_URL

    if given is None:
        return os.environ.get("STORAGE") or DEFAULT_STORAGE
    if PASSWORD_IN_URL.search(given):
        print("warning: --storage holds a password, which every user of this machine can read in the process "
              "list while this runs; export STORAGE=<url> and leave --storage out", file=sys.stderr)
    return given


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    terminate_like_ctrl_c()
    quiet_libraries()
    if hasattr(args, "storage"):
        args.storage = _storage(args.storage)
    try:
        if getattr(args, "study", None) is not None:
            from search.study import check_study_name

            check_study_name(args.study)
        if getattr(args, "threads", None):
            from search.runner.run import limit_threads

            limit_threads(args.threads)
        return args.handler(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a storage failing mid-command (read-only, disk full, server gone): one line
        from search.study.faults import is_storage_fault, storage_fault

        if not is_storage_fault(error):
            raise
        print(f"error: {storage_fault(error, getattr(args, 'storage', None))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM (search.backend.signals)
        print(f"\n{interrupt_message(interrupt)}", file=sys.stderr)
        return exit_code(interrupt)
