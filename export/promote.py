"""Promote one trial to a phone build: the two TFLite files, labels.txt and a model card, registered in MLflow.

The build reuses the trial's export (done by ``make study`` or ``python -m search export``) when its
files are intact, and exports the trial itself otherwise.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import optuna
from mlflow.exceptions import MlflowException
from optuna.trial import TrialState

from export.atomic_folder import written_atomically
from export.card import model_card, write_card
from export.front_export import ExportSettings, export_trial, reusable_summary
from export.phones.checks import check_build, environments_ready
from export.refit import study_data
from export.registry import log_card, register_build
from objectives.errors import ExportError, StudyError
from search.study import (
    DEFAULT_BUILDS,
    ExportFiles,
    StudyRecord,
    check_study_name,
    open_study,
    pareto_front,
    state_name,
    stop_reason,
    trial_config,
)


@dataclass(frozen=True)
class PromoteSettings:
    export: ExportSettings
    trial: int
    force: bool = False
    builds_root: Path = DEFAULT_BUILDS


def chosen_trial(study: optuna.Study, number: int, force: bool) -> optuna.trial.FrozenTrial:
    """The trial to promote, refused with the reason unless it is a COMPLETE front trial (or forced)."""
    trials = study.get_trials(deepcopy=False)
    match = [t for t in trials if t.number == number]
    front = sorted(t.number for t in pareto_front(study))
    listing = f"front trials: {', '.join(map(str, front)) or 'none'} (make front STUDY={study.study_name})"
    if not match:
        raise StudyError(f"study {study.study_name!r} has no trial {number} (it has {len(trials)} trials); {listing}")
    trial = match[0]
    if trial.state != TrialState.COMPLETE:
        reason = stop_reason(trial)
        raise StudyError(f"trial {number} of study {study.study_name!r} is {state_name(trial)}"
                         f"{f' ({reason})' if reason else ''}; only a COMPLETE trial has a model to promote; {listing}")
    if number not in front:
        if not force:
            raise StudyError(f"trial {number} of study {study.study_name!r} is not on the Pareto front (another "
                             f"trial dominates it: as accurate and as small, better in one); {listing}; pass --force "
                             "(FORCE=1) to promote it anyway")
        print(f"warning: trial {number} is not on the Pareto front of {study.study_name!r} ({listing}); "
              "promoting it because --force was given", file=sys.stderr)
    return trial


def promote(settings: PromoteSettings) -> Path:
    """Write ``<builds>/<study>/trial-<n>/``, register its int8 model with alias ``phone``; return the folder."""
    name = check_study_name(settings.export.study)
    study = open_study(name, settings.export.storage)
    record = StudyRecord.load(study)
    trial = chosen_trial(study, settings.trial, settings.force)
    environments_ready()  # checked before an export or a copy, so a missing environment costs no time
    summary = reusable_summary(study, trial, settings.export.exports_root)
    if summary is None:
        print(f"trial {trial.number} has no intact export yet: exporting it now", flush=True)
        size = trial_config(trial).image_size
        summary = export_trial(study, record, trial, study_data(name, record, settings.export.cache_root, [size]),
                               settings.export)
    if not summary.float32_matches_keras:
        raise ExportError(f"trial {trial.number}'s float32 TFLite model does not match Keras (max |diff| "
                         f"{summary.float32['max_abs_diff']:.1e}); it is not promoted -- see {summary.folder}")

    exported = ExportFiles.of(settings.export.exports_root, name, trial.number)
    build = Path(settings.builds_root) / name / f"trial-{trial.number}"
    try:
        with written_atomically(build) as staging:  # a reader never sees a half build, nor loses the old one
            for source in (exported.float32, exported.int8, exported.labels):
                shutil.copy2(source, staging / source.name)
            checks = check_build(staging, summary, record)  # the phone runtimes on the files shipped
            registration = register_build(study, trial, settings.export.storage, staging, exported.int8.name)
            files = {"float32": exported.float32.name, "int8": exported.int8.name, "labels": exported.labels.name}
            card = model_card(name, summary, record, registration,
                              datetime.now(timezone.utc).isoformat(timespec="seconds"), files, checks)
            card_files = write_card(staging, card)
            log_card(registration, card["test"]["accuracy"], card_files)
    except MlflowException as error:
        raise ExportError(f"MLflow ({error.__class__.__name__}: {error.message}) refused the registration, so {build} "
                          "was left as it was; fix MLFLOW_TRACKING_URI and promote again (the export is reused)"
                          ) from error
    print(f"promoted trial {trial.number} of {name!r} to {build}/ ; MLflow: {registration.model_uri} = version "
          f"{registration.version} (run {registration.run_id})")
    return build

