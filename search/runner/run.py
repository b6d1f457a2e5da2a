"""Run (or resume) a multi-objective study: maximise CV accuracy, minimise parameters.

``run_study`` creates or resumes a study from command-line settings; ``join_study`` is a worker that
reads everything from an existing study's record. Both end in ``search.runner.optimise``, where trials run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import optuna
from optuna.trial import FrozenTrial

from objectives.config import TEST_FRACTION, TrainingConfig
from objectives.data.data_check import DataReport, check_data
from objectives.data.digits import digits_folder
from objectives.data.paths import CACHE_ROOT, check_data_root
from objectives.data.prepared import PreparedData, prepare
from objectives.errors import DataError, SettingError, StudyError
from objectives.machine.memory import sizes_that_fit
from search.backend.local_workers import LocalWorkers, threads_per_job
from search.runner.optimise import TrialLoop, optimise
from search.runner.progress import resizing_progress
from search.runner.settings_check import check_run
from search.scheduler.samplers import make_sampler
from search.scheduler.time_budget import Deadline
from search.scheduler.time_budget import shown as shown_time
from search.study import StudyRecord, check_study_name, open_storage, shown
from search.tracking.settings import prepare_tracking, tracking_uri
from spaces.image_sizes import native_size
from spaces.space import DEFAULT_SPACE, SearchSpace, load_space, parse_space, with_budgets
from spaces.start_points import start_points

DIRECTIONS = ["maximize", "minimize"]
METRIC_NAMES = ["cv_accuracy", "params"]


@dataclass(frozen=True)
class RunSettings:
    study: str
    storage: str
    trials: int
    data_dir: Path | None = None  # None: the study's recorded folder, else the bundled digits
    space: Path = DEFAULT_SPACE
    training: TrainingConfig = TrainingConfig()
    test_fraction: float = TEST_FRACTION
    sampler: str = "tpe"
    cache_root: Path = CACHE_ROOT
    skip_unreadable: bool = False  # leave unreadable images out (listed) instead of refusing the data
    prepare_only: bool = False  # create the study and its caches, run no trial (workers will)
    mlflow: bool = True  # log every trial to MLflow (MLFLOW_TRACKING_URI, else the local store in mlflow/)
    early_stopping: bool = True  # stop a trial after a fold once it cannot reach the front (scheduler.early_stopping)
    callbacks: tuple[Callable[[optuna.Study, FrozenTrial], None], ...] = ()  # more Optuna callbacks (benchmarks)
    budgets: dict[str, float] = field(default_factory=dict)  # device budgets laid over the space file's
    start_points: bool = True  # a new study first runs the recipe's Model 1 and its halvings (spaces.start_points)
    learning_rate_fixed: bool = False  # the rate was given on the command line: the space must not search it
    jobs: int = 1  # trial processes on this machine: this one and jobs - 1 local workers (search.backend.local_workers)
    time_budget: float | None = None  # seconds from the command's start; None: the trial budget alone
    reserve_export: bool = False  # the time budget also covers exporting the front (make study)


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
    space = _sizes_in_memory(space, sum(report.sizes.values()))
    data = prepare(data_dir, cache_root, list(space.image_sizes), test_fraction, training.seed,
                   progress=resizing_progress("resizing images once per size"), exclude=report.skipped)
    return data, report, space


def _sizes_in_memory(space: SearchSpace, images: int) -> SearchSpace:
    """The space without the sizes this machine cannot hold, each said in one line; none left is refused."""
    kept, dropped = sizes_that_fit(images, space.image_sizes)
    for line in dropped:
        print(f"  {line}")
    if not kept:
        raise DataError(f"no image size of the space fits in memory ({dropped[0]})")
    return space if not dropped else space.with_sizes(kept, "image sizes that fit in memory")


def run_study(settings: RunSettings) -> optuna.Study:
    """Create or resume the study named in ``settings`` and run it to its budget."""
    started = time.time()  # a time budget counts from here: the data check and resizing are the user's wait too
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # our own lines replace Optuna's
    check_study_name(settings.study)
    check_run(settings.trials, settings.training, settings.test_fraction)  # before anything is created
    if settings.data_dir is not None:
        check_data_root(settings.data_dir)  # a missing or system folder, before the storage is made
    if settings.mlflow:
        prepare_tracking(tracking_uri())  # an MLflow store that is another library's file is refused now
    space = with_budgets(load_space(settings.space), settings.budgets)
    if settings.learning_rate_fixed and space.learning_rate is not None:
        raise SettingError(f"--learning-rate fixes the rate of every trial, but {settings.space} searches "
                           "learning_rate; "
                         "drop one of the two (remove learning_rate from a copy of the space file to fix the rate)")
    storage = open_storage(settings.storage)
    existing = load_existing(settings.study, storage)
    old_record = StudyRecord.load(existing) if existing else None
    data_dir = settings.data_dir or (Path(old_record.data_dir) if old_record else digits_folder(settings.cache_root))
    data, report, space = prepare_checked(data_dir, settings.cache_root, space, settings.test_fraction,
                                          settings.training, settings.skip_unreadable)
    record = _record(settings, data, report, space)
    if old_record:
        conflicts = record.conflicts(old_record)
        if conflicts:
            raise StudyError(f"study {settings.study!r} exists with different {', '.join(conflicts)} "
                             f"({'; '.join(record.differences(old_record))}); "
                             "resume it with the settings it was made with, or pass a new STUDY=name")
    # A resumed study's sampler must not replay the first session's random draws: offset its seed by the
    # trials already there (with the same seed, a resumed session repeated the first session's trials).
    seed = settings.training.seed + (len(existing.trials) if existing else 0)
    study = optuna.create_study(study_name=settings.study, storage=storage, directions=DIRECTIONS,
                                sampler=make_sampler(settings.sampler, seed, space.image_sizes), load_if_exists=True)
    if old_record:
        StudyRecord.save_budget(study, settings.trials)
    else:
        record.save(study)
        study.set_metric_names(METRIC_NAMES)
        for params in start_points(space)[:settings.trials] if settings.start_points else []:
            study.enqueue_trial(params)  # no more than the budget: none is left waiting
    _save_deadline(study, settings, started)
    if settings.prepare_only:
        print(f"study {settings.study!r} is ready in {shown(settings.storage)} with a budget of {settings.trials} "
              "trials; start workers with STORAGE exported: python -m search worker --study NAME")
        return study
    loop = TrialLoop(space, data, settings.training, settings.trials, mlflow=settings.mlflow,
                     early_stopping=settings.early_stopping, callbacks=settings.callbacks,
                     local_workers=_local_workers(settings))
    return optimise(study, settings.storage, loop)


def _record(settings: RunSettings, data: PreparedData, report: DataReport, space: SearchSpace) -> StudyRecord:
    """What the study is made with, compared on every resume."""
    return StudyRecord(
        data_dir=str(data.folder.root.resolve()), fingerprint=data.cache.fingerprint,
        class_names=list(data.class_names), test_files=data.test_files, test_fraction=settings.test_fraction,
        space_file=str(settings.space), space=space.source, training=asdict(settings.training),
        sampler=settings.sampler, trials=settings.trials, skip_unreadable=settings.skip_unreadable,
        skipped_files=report.skipped, early_stopping=settings.early_stopping,
    )


def _save_deadline(study: optuna.Study, settings: RunSettings, started: float) -> None:
    """This session's deadline in the study, read by every worker; none clears the last session's."""
    if settings.time_budget is None:
        Deadline.clear(study)
        return
    deadline = Deadline(started + settings.time_budget, settings.time_budget, settings.reserve_export)
    deadline.save(study)
    print(f"time budget {shown_time(settings.time_budget)}: no trial starts after "
          f"{time.strftime('%H:%M:%S', time.localtime(deadline.at))}"
          + (" less the time the front's export needs" if settings.reserve_export else ""))


def _local_workers(settings: RunSettings) -> Callable[[], LocalWorkers] | None:
    """What starts the run's extra trial processes (their logs beside the caches), if it wants any."""
    if settings.jobs <= 1:
        return None
    log_dir = settings.cache_root / "logs" / settings.study
    return lambda: LocalWorkers(settings.study, settings.storage, settings.jobs - 1, threads_per_job(settings.jobs),
                                settings.cache_root, log_dir)


def join_study(name: str, storage_url: str, cache_root: Path = CACHE_ROOT, spawned: int = 0) -> optuna.Study:
    """A worker: join an existing study and run trials until the study's recorded budget is reached.

    Everything comes from the study's record, so every worker trains the same way on the same data.
    The sampler gets a fresh seed per worker: workers with one seed would propose the same trials.
    ``spawned`` is the number of a worker a local ``run --jobs`` started: its parent checked the data and
    reports its trials, so it verifies the files against the record's fingerprint, prints no trial lines and takes a
    seed of
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
                         f"`python -m search run --study {name} --trials N` (same settings as before)")
    training = record.training_config
    seed = (training.seed + 1000 * spawned + len(found.trials)) if spawned else int.from_bytes(os.urandom(4), "little")
    space = parse_space(record.space, origin=f"study {name!r} space")
    study = load_existing(name, storage, make_sampler(record.sampler, seed, space.image_sizes))
    print(f"worker {os.getpid()} joins study {name!r} (sampler {record.sampler}, seed {seed})")
    if spawned:
        data = prepare(Path(record.data_dir), cache_root, list(space.image_sizes), record.test_fraction, training.seed,
                       expected=record.fingerprint, exclude=record.skipped_files)
    else:
        data, _, _ = prepare_checked(Path(record.data_dir), cache_root, space, record.test_fraction,
                                     training, record.skip_unreadable)
    if data.cache.fingerprint != record.fingerprint:
        raise DataError(f"the images in {record.data_dir} differ from the ones study {name!r} was made with; "
                         "every worker needs the same files at the same path (copy them, or use a shared folder)")
    return optimise(study, storage_url, TrialLoop(space, data, training, record.trials,
                                                  early_stopping=record.early_stopping, quiet=bool(spawned)))
