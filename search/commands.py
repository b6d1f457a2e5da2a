"""What each command of ``python -m search`` does, given its parsed arguments; each returns the exit code.

Every library is imported inside its command, so ``--help`` and a refused argument answer at once and a
command loads only what it uses (TensorFlow only for run, worker and export)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from objectives.config import TrainingConfig


def run(args: argparse.Namespace) -> int:
    from search.backend.local_workers import default_jobs, threads_per_job
    from search.runner.run import RunSettings, limit_threads, run_study

    jobs = args.jobs or default_jobs()
    if jobs > 1 and not args.threads:
        limit_threads(threads_per_job(jobs))  # each process its share of the cores
    training = TrainingConfig(epochs=args.epochs, batch_size=args.batch_size, folds=args.folds, seed=args.seed,
                              **({} if args.learning_rate is None else {"learning_rate": args.learning_rate}))
    run_study(RunSettings(study=args.study, storage=args.storage, trials=args.trials, data_dir=args.data,
                          space=args.space, training=training, test_fraction=args.test_fraction,
                          sampler=args.sampler, cache_root=args.cache, skip_unreadable=args.skip_unreadable,
                          prepare_only=args.prepare_only, mlflow=not args.no_mlflow,
                          early_stopping=not args.no_early_stopping, budgets=budgets(args),
                          start_points=not args.no_start_points, learning_rate_fixed=args.learning_rate is not None,
                          jobs=jobs, time_budget=args.time, reserve_export=args.reserve_export))
    return 0


def budgets(args: argparse.Namespace) -> dict[str, float]:
    given = {"max_params": args.max_params, "max_macs": args.max_macs, "max_int8_kb": args.max_int8_kb,
             "max_latency_ms": args.max_latency_ms}
    return {key: value for key, value in given.items() if value is not None}


def worker(args: argparse.Namespace) -> int:
    from search.runner.run import join_study

    join_study(args.study, args.storage, args.cache, args.spawned)
    return 0


def check_data_folder(args: argparse.Namespace) -> int:
    from objectives.data.data_check import check_data
    from search.runner.settings_check import check_split

    check_split(args.folds, args.test_fraction, args.seed)
    report = check_data(args.data, args.folds, args.test_fraction, args.seed, args.skip_unreadable)
    print(report.render())
    if report.sizes:
        from spaces.image_sizes import derived_image_sizes, native_size

        native = native_size(report.sizes)
        print(f"  image sizes a study searches (image_sizes: auto): {', '.join(map(str, derived_image_sizes(native)))} "
              f"px (median short side {native} px)")
    return 1 if report.errors else 0


def front(args: argparse.Namespace) -> int:
    from search.study import front_rows, open_study
    from search.views.tables import format_front, front_json, state_counts

    study = open_study(args.study, args.storage)
    rows = front_rows(study)
    print(front_json(rows) if args.json else f"{format_front(rows)}\n\ntrials: {state_counts(study)}")
    return 0


def report(args: argparse.Namespace) -> int:
    from search.study import front_rows, masked, open_study
    from search.tracking.logbook import Logbook, one_line
    from search.views.report import write_report
    from search.views.tables import format_front

    study = open_study(args.study, args.storage)  # main() has checked the name
    path = write_report(study, args.out or Path("reports") / args.study)
    print(f"Pareto front of study {args.study!r} (max CV accuracy, min parameters):")
    print(format_front(front_rows(study)))
    print(f"\nreport: {path.resolve()}")
    if not args.no_mlflow:
        try:
            logbook = Logbook(study.study_name, args.storage)
            logbook.log_study_artifacts(study)
            print(f"logged to MLflow {masked(logbook.uri)}, parent run {logbook.parent_run_id(study)}")
        except Exception as error:  # MLflow down must not hide the report that was written
            print(f"warning: report not logged to MLflow ({one_line(error)}); run sync-mlflow later", file=sys.stderr)
    return 0


def dashboard(args: argparse.Namespace) -> int:
    from search.backend.signals import exit_code, signal_name
    from search.views.dashboard_server import dashboard_server, default_artifact_dir

    artifacts = args.artifact_dir or default_artifact_dir(args.storage)
    artifacts.mkdir(parents=True, exist_ok=True)
    with dashboard_server(args.storage, args.host, args.port, artifacts) as server:
        print(f"optuna-dashboard on http://{args.host}:{args.port}/dashboard (artifacts: {artifacts}); Ctrl-C stops it",
              flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM from a service manager
            print(f"dashboard stopped ({signal_name(interrupt)})", file=sys.stderr)
            return exit_code(interrupt)
    return 0


def sync_mlflow(args: argparse.Namespace) -> int:
    from search.study import open_study
    from search.tracking.logbook import sync_study

    print(sync_study(open_study(args.study, args.storage), args.storage))
    return 0


def export_settings(args: argparse.Namespace):
    from export.front_export import ExportSettings

    return ExportSettings(study=args.study, storage=args.storage, exports_root=args.exports, cache_root=args.cache,
                          author=args.author)


def export(args: argparse.Namespace) -> int:
    from export.front_export import export_front

    export_front(export_settings(args))
    return 0


def promote(args: argparse.Namespace) -> int:
    from export.promote import PromoteSettings, promote

    promote(PromoteSettings(export=export_settings(args), trial=args.trial, force=args.force, builds_root=args.builds))
    return 0
