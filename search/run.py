"""Run (or resume) a multi-objective study: maximise CV accuracy, minimise parameters.

``run_study`` creates or resumes a study from command-line settings; ``join_study`` is a worker that
reads everything from an existing study's record. Both end in ``optimise``: the one place trials run,
so anything that must happen per trial (logging, reporting) is wired once.
"""

from __future__ import annotations

import gc
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import optuna
from optuna.storages import RetryHeartbeatStaleTrialCallback
from optuna.trial import FrozenTrial, TrialState
from tqdm import tqdm

from objectives.config import TrainingConfig
from objectives.data_check import DataReport, check_data
from objectives.dataset import DataError
from objectives.paths import check_data_root
from objectives.digits import digits_folder
from objectives.prepared import PreparedData, prepare
from objectives.quoting import quoted
from search.dashboard import default_artifact_dir, upload_learning_curves, write_note
from search.errors import StudyError
from search.front import format_front, front_rows
from search.liveness import reclaim_dead_trials, record_owner
from search.local_workers import LocalWorkers, TrialWatcher, threads_per_job
from search.mlflow_settings import prepare_tracking, tracking_uri
from search.record import StudyRecord
from search.samplers import make_sampler
from search.settings_check import check_run
from search.signals import TrialGate
from search.trial_table import stop_reason
from search.storage import MAX_RETRY, open_storage, shown
from search.tracking_thread import TrackingThread
from spaces.image_sizes import native_size
from spaces.space import DEFAULT_SPACE, SearchSpace, load_space, parse_space, with_budgets
from spaces.start_points import start_points

DIRECTIONS = ["maximize", "minimize"]
METRIC_NAMES = ["cv_accuracy", "params"]
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
STUDY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")  # fullmatch: "$" would let "abc\n" through


@dataclass(frozen=True)
class RunSettings:
    study: str
    storage: str
    trials: int
    data_dir: Path | None = None  # None: the study's recorded folder, else the bundled digits
    space: Path = DEFAULT_SPACE
    training: TrainingConfig = TrainingConfig()
    test_fraction: float = 0.15
    sampler: str = "tpe"
    cache_root: Path = Path("cache")
    skip_unreadable: bool = False  # leave unreadable images out (listed) instead of refusing the data
    prepare_only: bool = False  # create the study and its caches, run no trial (workers will)
    mlflow: bool = True  # log every trial to MLflow (MLFLOW_TRACKING_URI, else the local store in mlflow/)
    early_stopping: bool = True  # stop a trial after a fold once it cannot reach the front (search.early_stopping)
    callbacks: tuple[Callable[[optuna.Study, FrozenTrial], None], ...] = ()  # more Optuna callbacks (benchmarks)
    budgets: dict[str, float] = field(default_factory=dict)  # device budgets laid over the space file's
    start_points: bool = True  # a new study first runs the recipe's Model 1 and its halvings (spaces.start_points)
    learning_rate_fixed: bool = False  # the rate was given on the command line: the space must not search it
    jobs: int = 1  # trial processes on this machine: this one and jobs - 1 local workers (search.local_workers)


def check_study_name(name: str) -> str:
    """Study names become folder names (builds, reports): refuse anything that could leave those folders."""
    if not STUDY_NAME.fullmatch(name) or ".." in name:
        raise StudyError(f"study name {quoted(name)} is not allowed: use letters, digits, '.', '_' and '-' "
                         "(no '/', no '..', at most 100 characters)")
    return name


def limit_threads(threads: int) -> None:
    """Size TensorFlow's thread pools; it only allows this before its first operation, so call it first."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # TensorFlow already ran in this process (a caller's own): its pools stay as they are
        pass


def load_existing(name: str, storage: optuna.storages.BaseStorage,
                  sampler: optuna.samplers.BaseSampler | None = None) -> optuna.Study | None:
    try:
        return optuna.load_study(study_name=name, storage=storage, sampler=sampler)
    except KeyError:
        return None


def _progress(label: str):
    bar: dict[str, tqdm] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, desc=label, unit="img", leave=False)
        bar["bar"].update(done - bar["bar"].n)
        if done == total:
            bar["bar"].close()

    return update


def prepare_checked(data_dir: Path, cache_root: Path, space: SearchSpace, test_fraction: float,
                    training: TrainingConfig, skip_unreadable: bool) -> tuple[PreparedData, DataReport, SearchSpace]:
    """The data check (the same as ``check-data``) first; only data that passes it is resized and split.
    A space with ``image_sizes: auto`` gets its sizes from the checked images here."""
    report = check_data(data_dir, training.folds, test_fraction, training.seed, skip_unreadable)
    print(report.render())
    if report.errors:
        raise DataError(report.error_summary())
    if space.sizes_from_data:
        native = native_size(report.sizes)
        space = space.for_native_size(native)
        print(f"  image sizes searched: {', '.join(map(str, space.image_sizes))} px "
              f"(from the data: median short side {native} px; list sizes in the space file to choose others)")
    data = prepare(data_dir, cache_root, list(space.image_sizes), test_fraction, training.seed,
                   progress=_progress("resizing images once per size"), exclude=report.skipped)
    return data, report, space


class TrialBudget:
    """Stop a worker when the study holds ``budget`` trials, counted across every worker.

    Like ``optuna.study.MaxTrialsCallback``, with two differences it cannot express by trial states:
    a trial lost with its worker (killed, or Ctrl-C) and re-queued as a retry takes one place in the
    budget, not two; and a queued retry is always run, even when the budget is otherwise reached.
    Other queued trials (the start points) take a place only once they run, so they never push a study
    past its budget. Running trials count, so N workers stop at the budget rather than N times it (two
    workers that finish at the same instant can still start one trial too many: Optuna offers no lock).
    """

    def __init__(self, budget: int):
        self.budget = budget

    def taken(self, study: optuna.Study) -> int:
        """Trials that ran or run, a retry sharing its place with the trial it re-runs."""
        trials = study.get_trials(deepcopy=False, states=FINISHED + (TrialState.RUNNING,))
        return len(trials) - sum("failed_trial" in t.system_attrs for t in trials)

    def reached(self, study: optuna.Study) -> bool:
        waiting = study.get_trials(deepcopy=False, states=(TrialState.WAITING,))
        retries = [t for t in waiting if "failed_trial" in t.system_attrs]
        return not retries and self.taken(study) >= self.budget

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if self.reached(study):
            study.stop()


def _report_trial(study: optuna.Study, trial: FrozenTrial) -> None:
    """One line per finished trial, printed above the progress bar."""
    what = trial.user_attrs.get("description", "")
    if "failed_trial" in trial.system_attrs:
        what += f" (retry of trial {trial.system_attrs['failed_trial']})"
    if trial.state == TrialState.COMPLETE:
        tqdm.write(f"trial {trial.number:>3}  {what}: cv {trial.values[0]:.3f} ± {trial.user_attrs['cv_accuracy_std']:.3f}, "
                   f"{int(trial.values[1]):,} params, {trial.user_attrs['trial_seconds']:.1f} s")
    else:
        tqdm.write(f"trial {trial.number:>3}  {what}: {trial.state.name} {stop_reason(trial)}")


class BudgetProgress:
    """A progress bar over the study's whole budget: trials finished by any worker count."""

    def __init__(self, study: optuna.Study, budget: int):
        self.bar = tqdm(total=budget, initial=self._finished(study), desc=f"study {study.study_name}", unit="trial")

    @staticmethod
    def _finished(study: optuna.Study) -> int:
        return len(study.get_trials(deepcopy=False, states=FINISHED))

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        self.bar.update(min(self._finished(study), self.bar.total) - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def _requeue_interrupted(study: optuna.Study, number: int | None) -> None:
    """Queue an interrupted trial's configuration again, as the heartbeat does for a killed worker's trial."""
    interrupted = [t for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,)) if t.number == number]
    if interrupted:
        RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRY)(study, interrupted[0])


def optimise(study: optuna.Study, storage_url: str, space: SearchSpace, data: PreparedData,
             training: TrainingConfig, budget: int, mlflow: bool = True, early_stopping: bool = True,
             callbacks: Sequence[Callable[[optuna.Study, FrozenTrial], None]] = (),
             local_workers: Callable[[], LocalWorkers] | None = None, quiet: bool = False) -> optuna.Study:
    """Run trials until the study holds ``budget`` of them (across all workers), logging each to MLflow
    and the dashboard; print the front. Runs and workers both come through here.

    ``local_workers`` starts more trial processes beside this one once there is work; this process then
    reports every trial of the study, theirs too. ``quiet``: no lines, bar or front (such a worker)."""
    from search.objective import TRIAL_FAILURES, Objective  # TensorFlow loads only when trials run

    for line in reclaim_dead_trials(study, storage_url):  # a dead local process's trial, at once (search.liveness)
        print(line)
    optuna.storages.fail_stale_trials(study)  # a dead worker's trial is failed and re-queued before counting
    limit = TrialBudget(budget)
    done = len(study.get_trials(deepcopy=False, states=FINISHED))
    running = len(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)))
    print(f"study {study.study_name!r} in {shown(storage_url)}: {done} trials done, {running} running, budget {budget}; "
          f"{len(data.search_indices)} images searched with {training.folds}-fold CV, "
          f"{len(data.test_indices)} held out; classes {', '.join(data.class_names)}")
    if limit.reached(study):
        print("the study has reached its budget; raise TRIALS to run more")
    else:
        optuna.logging.set_verbosity(optuna.logging.ERROR)  # failures are reported by _report_trial, one line each
        artifacts = default_artifact_dir(storage_url)
        objective = Objective(space, data, training, on_trained=lambda t: upload_learning_curves(t, artifacts),
                              early_stopping=early_stopping)
        progress = None if quiet else BudgetProgress(study, budget)
        tracking = TrackingThread(study, storage_url) if mlflow else None
        workers = local_workers() if local_workers is not None else None
        watcher = TrialWatcher(study, lambda s, t: (_report_trial(s, t), progress(s, t))) if workers and progress else None
        reporting = [] if quiet or watcher else [_report_trial, progress]
        current: dict[str, int] = {}

        gate = TrialGate()

        def run_trial(trial: optuna.Trial) -> tuple[float, int]:
            current["number"] = trial.number
            with gate.objective():
                record_owner(trial)
                return objective(trial)

        started = time.perf_counter()
        status = "FAILED"
        try:
            # No n_trials: only the budget (shared with other workers) says when to stop.
            # The budget check comes last: the other callbacks' time would widen the window in which
            # two workers both see room for one more trial.
            every = [*reporting, write_note, *([tracking] if tracking else []), *callbacks, limit]
            # The objective's keras.backend.clear_session() collects garbage after every trial; frozen first,
            # the libraries' million long-lived objects are not walked each time (0.7 s -> 0.2 s a trial here).
            gc.freeze()
            with gate:
                study.optimize(run_trial, catch=TRIAL_FAILURES, callbacks=every)
                gate.raise_pending()  # an interrupt that came after the last trial
            problems = workers.wait() if workers else []
            status = "FINISHED"
        except KeyboardInterrupt:
            status = "KILLED"
            _requeue_interrupted(study, current.get("number"))
            if workers:
                workers.stop()
            raise
        finally:
            if watcher:
                watcher.close()
            if progress:
                progress.close()
            if tracking:  # also on Ctrl-C or a crash: what finished is logged, the parent run says how it ended
                tracking.finish(status)
        for problem in problems:
            print(f"warning: {problem}", file=sys.stderr)
        processes = f"{1 + len(workers.processes)} processes" if workers else "this worker"
        print(f"{processes} ran trials for {time.perf_counter() - started:.0f} s")
    if not quiet:
        print("\nPareto front (max CV accuracy, min parameters):")
        print(format_front(front_rows(study)))
    return study


def run_study(settings: RunSettings) -> optuna.Study:
    """Create or resume the study named in ``settings`` and run it to its budget."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # our own lines replace Optuna's
    check_study_name(settings.study)
    check_run(settings.trials, settings.training, settings.test_fraction)  # before anything is created
    if settings.data_dir is not None:
        check_data_root(settings.data_dir)  # a missing or system folder, before the storage is made
    if settings.mlflow:
        prepare_tracking(tracking_uri())  # an MLflow store that is another library's file is refused now
    space = with_budgets(load_space(settings.space), settings.budgets)
    if settings.learning_rate_fixed and space.learning_rate is not None:
        raise StudyError(f"--learning-rate fixes the rate of every trial, but {settings.space} searches learning_rate; "
                         "drop one of the two (remove learning_rate from a copy of the space file to fix the rate)")
    storage = open_storage(settings.storage)
    existing = load_existing(settings.study, storage)
    old_record = StudyRecord.load(existing) if existing else None
    data_dir = settings.data_dir or (Path(old_record.data_dir) if old_record else digits_folder(settings.cache_root))
    data, report, space = prepare_checked(data_dir, settings.cache_root, space, settings.test_fraction,
                                          settings.training, settings.skip_unreadable)
    record = StudyRecord(
        data_dir=str(data.folder.root.resolve()), fingerprint=data.cache.fingerprint,
        class_names=list(data.class_names), test_files=data.test_files, test_fraction=settings.test_fraction,
        space_file=str(settings.space), space=space.source, training=asdict(settings.training),
        sampler=settings.sampler, trials=settings.trials, skip_unreadable=settings.skip_unreadable,
        skipped_files=report.skipped, early_stopping=settings.early_stopping,
    )
    if old_record:
        conflicts = record.conflicts(old_record)
        if conflicts:
            raise StudyError(f"study {settings.study!r} exists with different {', '.join(conflicts)} "
                             f"({'; '.join(record.differences(old_record))}); "
                             "resume it with the settings it was made with, or pass a new STUDY=name")
    # A resumed study's sampler must not replay the first session's random draws: offset its seed by the
    # trials already there (same seed on resume repeated trials 0-3 as trials 6-9, measured).
    seed = settings.training.seed + (len(existing.trials) if existing else 0)
    study = optuna.create_study(study_name=settings.study, storage=storage, directions=DIRECTIONS,
                                sampler=make_sampler(settings.sampler, seed), load_if_exists=True)
    if old_record:
        StudyRecord.save_budget(study, settings.trials)
    else:
        record.save(study)
        study.set_metric_names(METRIC_NAMES)
        for params in start_points(space)[:settings.trials] if settings.start_points else []:
            study.enqueue_trial(params)  # no more than the budget: none is left waiting
    if settings.prepare_only:
        print(f"study {settings.study!r} is ready in {shown(settings.storage)} with a budget of {settings.trials} "
              "trials; start workers with: python -m search worker --study NAME --storage URL")
        return study
    return optimise(study, settings.storage, space, data, settings.training, settings.trials, settings.mlflow,
                    settings.early_stopping, settings.callbacks, _local_workers(settings))


def _local_workers(settings: RunSettings) -> Callable[[], LocalWorkers] | None:
    """What starts the run's extra trial processes (their logs beside the caches), if it wants any."""
    if settings.jobs <= 1:
        return None
    log_dir = settings.cache_root / "logs" / settings.study
    return lambda: LocalWorkers(settings.study, settings.storage, settings.jobs - 1, threads_per_job(settings.jobs),
                                settings.cache_root, log_dir)


def join_study(name: str, storage_url: str, cache_root: Path = Path("cache"), spawned: int = 0) -> optuna.Study:
    """A worker: join an existing study and run trials until the study's recorded budget is reached.

    Everything comes from the study's record, so every worker trains the same way on the same data.
    The sampler gets a fresh seed per worker: workers with one seed would propose the same trials.
    ``spawned`` is the number of a worker a local ``run --jobs`` started: its parent checked the data and
    reports its trials, so it trusts the record's fingerprint, prints no trial lines and takes a seed of
    its own derived from the study's (a repeated run starts its workers alike).
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    check_study_name(name)
    storage = open_storage(storage_url)
    found = load_existing(name, storage)
    if found is None:
        names = optuna.study.get_all_study_names(storage)
        raise StudyError(f"no study {name!r} in {shown(storage_url)} (studies there: {', '.join(names) or 'none'}); "
                         "a worker joins an existing study: create it first with `make study` / python -m search run")
    record = StudyRecord.load(found)
    if record.trials < 1:
        raise StudyError(f"study {name!r} has no recorded trial budget; set one with "
                         f"`python -m search run --study {name} --storage URL --trials N` (same settings as before)")
    training = record.training_config
    seed = (training.seed + 1000 * spawned + len(found.trials)) if spawned else int.from_bytes(os.urandom(4), "little")
    study = load_existing(name, storage, make_sampler(record.sampler, seed))
    print(f"worker {os.getpid()} joins study {name!r} (sampler {record.sampler}, seed {seed})")
    space = parse_space(record.space, origin=f"study {name!r} space")
    if spawned:
        data = prepare(Path(record.data_dir), cache_root, list(space.image_sizes), record.test_fraction, training.seed,
                       fingerprint=record.fingerprint, exclude=record.skipped_files)
    else:
        data, _, _ = prepare_checked(Path(record.data_dir), cache_root, space, record.test_fraction,
                                     training, record.skip_unreadable)
    if data.cache.fingerprint != record.fingerprint:
        raise StudyError(f"the images in {record.data_dir} differ from the ones study {name!r} was made with; "
                         "every worker needs the same files at the same path (copy them, or use a shared folder)")
    return optimise(study, storage_url, space, data, training, record.trials, early_stopping=record.early_stopping,
                    quiet=bool(spawned))
