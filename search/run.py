"""Run (or resume) a multi-objective study: maximise CV accuracy, minimise parameters."""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import optuna
from optuna.trial import TrialState
from tqdm import tqdm

from objectives.config import TrainingConfig
from objectives.digits import digits_folder
from objectives.prepared import PreparedData, prepare
from search.errors import StudyError
from search.front import format_front, front_rows
from search.objective import TRIAL_FAILURES, Objective
from search.record import StudyRecord
from search.samplers import make_sampler
from search.storage import open_storage
from search.tracking_thread import TrackingThread
from spaces.space import DEFAULT_SPACE, load_space

DIRECTIONS = ["maximize", "minimize"]
METRIC_NAMES = ["cv_accuracy", "params"]
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
STUDY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


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
    mlflow: bool = True  # log every trial to MLflow (MLFLOW_TRACKING_URI, else the local store in mlflow/)


def check_study_name(name: str) -> str:
    """Study names become folder names (builds, reports): refuse anything that could leave those folders."""
    if not STUDY_NAME.match(name) or ".." in name:
        raise StudyError(f"study name {name!r} is not allowed: use letters, digits, '.', '_' and '-' "
                         "(no '/', no '..', at most 100 characters)")
    return name


def load_existing(name: str, storage: optuna.storages.BaseStorage) -> optuna.Study | None:
    try:
        return optuna.load_study(study_name=name, storage=storage)
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


def prepare_for(settings: RunSettings, record: StudyRecord | None, sizes: list[int]) -> PreparedData:
    data_dir = settings.data_dir or (Path(record.data_dir) if record else digits_folder(settings.cache_root))
    print(f"data: {data_dir}")
    return prepare(data_dir, settings.cache_root, sizes, settings.test_fraction, settings.training.seed,
                   progress=_progress("resizing images once per size"))


def _report_trial(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
    """One line per finished trial, printed above the progress bar."""
    what = trial.user_attrs.get("description", "")
    if trial.state == TrialState.COMPLETE:
        tqdm.write(f"trial {trial.number:>3}  {what}: cv {trial.values[0]:.3f} ± {trial.user_attrs['cv_accuracy_std']:.3f}, "
                   f"{int(trial.values[1]):,} params, {trial.user_attrs['trial_seconds']:.1f} s")
    else:
        reason = trial.user_attrs.get("fail_reason") or trial.system_attrs.get("fail_reason", "")
        tqdm.write(f"trial {trial.number:>3}  {what}: {trial.state.name} {reason}")


def run_study(settings: RunSettings) -> optuna.Study:
    check_study_name(settings.study)
    space = load_space(settings.space)
    storage = open_storage(settings.storage)
    existing = load_existing(settings.study, storage)
    old_record = StudyRecord.load(existing) if existing else None
    data = prepare_for(settings, old_record, list(space.image_sizes))
    record = StudyRecord(
        data_dir=str(data.folder.root.resolve()), fingerprint=data.cache.fingerprint,
        class_names=list(data.class_names), test_files=data.test_files, test_fraction=settings.test_fraction,
        space_file=str(settings.space), space=space.source, training=asdict(settings.training),
        sampler=settings.sampler,
    )
    if old_record:
        conflicts = record.conflicts(old_record)
        if conflicts:
            raise StudyError(f"study {settings.study!r} exists with different {', '.join(conflicts)}; "
                             "resume it with the settings it was made with, or pass a new STUDY=name")
    study = optuna.create_study(study_name=settings.study, storage=storage, directions=DIRECTIONS,
                                sampler=make_sampler(settings.sampler, settings.training.seed), load_if_exists=True)
    if not old_record:
        record.save(study)
        study.set_metric_names(METRIC_NAMES)
    done = len(study.get_trials(deepcopy=False, states=FINISHED))
    remaining = settings.trials - done
    print(f"study {settings.study!r} in {settings.storage}: {done} trials done, budget {settings.trials}; "
          f"{len(data.search_indices)} images searched with {settings.training.folds}-fold CV, "
          f"{len(data.test_indices)} held out; classes {', '.join(data.class_names)}")
    tracking = TrackingThread(study, settings.storage) if settings.mlflow else None
    status = "FAILED"
    try:
        if remaining > 0:
            optuna.logging.set_verbosity(optuna.logging.WARNING)
            started = time.perf_counter()
            study.optimize(Objective(space, data, settings.training), n_trials=remaining, catch=TRIAL_FAILURES,
                           callbacks=[_report_trial, *([tracking] if tracking else [])], show_progress_bar=True,
                           gc_after_trial=True)
            print(f"{remaining} trials in {time.perf_counter() - started:.0f} s")
        else:
            print("the study has reached its budget; raise TRIALS to run more")
        status = "FINISHED"
    except KeyboardInterrupt:
        status = "KILLED"
        raise
    finally:
        if tracking:  # also on Ctrl-C or a crash: what finished is logged, the parent run says how it ended
            tracking.finish(status)
    print("\nPareto front (max CV accuracy, min parameters):")
    print(format_front(front_rows(study)))
    return study
