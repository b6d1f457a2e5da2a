"""Export a study's Pareto front: refit, convert, write metadata, verify, and report every model.

Each finished export is saved at once (files and summary), so an interrupted export keeps what it
finished and a re-run skips it; promote reads the same summaries.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import keras
import numpy as np
import optuna

from export.atomic_folder import written_atomically
from export.phones.app_images import phone_images
from export.phones.checks import environments_ready, run_phone_checks
from export.refit import refit, study_data
from objectives.architectures.registry import describe
from objectives.config import TrialConfig
from objectives.data.paths import CACHE_ROOT
from objectives.data.prepared import PreparedData
from objectives.data.preprocessing import INPUT_NORMALISATION
from objectives.errors import ExportError, TrialFailure
from objectives.tflite.convert import to_float32, to_int8
from objectives.tflite.metadata import ModelDescription, with_metadata, write_labels
from objectives.tflite.verify import (
    FLOAT32_TOLERANCE,
    INT8_DROP_ALARM,
    LiteRTClassifier,
    compare,
    decode_images,
    name_accuracy,
)
from objectives.training.cross_validation import predict
from search.study import (
    DEFAULT_AUTHOR,
    DEFAULT_EXPORTS,
    ExportFiles,
    ExportSummary,
    StudyRecord,
    TrialAttr,
    config_dict,
    description,
    front_trials,
    open_study,
    sha256,
    trial_config,
)
from search.views.dashboard import publish_export
from search.views.dashboard_server import default_artifact_dir


@dataclass(frozen=True)
class ExportSettings:
    study: str
    storage: str
    exports_root: Path = DEFAULT_EXPORTS
    cache_root: Path = CACHE_ROOT
    author: str = DEFAULT_AUTHOR


def _description(study: str, trial: optuna.trial.FrozenTrial, config: TrialConfig, variant: str,
                 class_names: list[str], author: str, when: datetime) -> ModelDescription:
    size = config.image_size
    text = (f"{describe(config)} ({variant}). CV accuracy {trial.values[0]:.3f} ± "
            f"{trial.user_attrs.get(TrialAttr.CV_ACCURACY_STD, 0.0):.3f}. Input {size}x{size} RGB, "
            f"(pixel - {INPUT_NORMALISATION.mean:g}) / {INPUT_NORMALISATION.std:g}. "
            f"{len(class_names)} classes: {', '.join(class_names)}.")
    return ModelDescription(name=f"{study} trial {trial.number} {variant}",
                            version=f"trial-{trial.number}+{when:%Y%m%d%H%M%S}", description=text, author=author)


def export_trial(study: optuna.Study, record: StudyRecord, trial: optuna.trial.FrozenTrial, data: PreparedData,
                 settings: ExportSettings) -> ExportSummary:
    """Refit, evaluate, convert, write metadata and verify one trial; save and return its summary."""
    final = ExportFiles.of(settings.exports_root, study.study_name, trial.number).folder
    with written_atomically(final) as staging:  # never a folder with some of the files where the export goes
        exported = _export_into(study, record, trial, data, settings, ExportFiles(staging), final)
    publish_export(study, trial, exported.true_names, exported.predicted, record.class_names,
                   default_artifact_dir(settings.storage))
    _warn_loudly(exported.summary, exported.runtime_alarms)
    return exported.summary


@dataclass(frozen=True)
class _Exported:
    summary: ExportSummary
    true_names: list[str]
    predicted: list[str]  # Keras on the test split, for the confusion matrix
    runtime_alarms: list[str]  # MediaPipe or the Task Library disagreeing with LiteRT, announced like the int8 drop


def _export_into(study: optuna.Study, record: StudyRecord, trial: optuna.trial.FrozenTrial, data: PreparedData,
                 settings: ExportSettings, files: ExportFiles, final: Path) -> _Exported:
    """Every file of the export written into ``files``' folder (its staging copy); the summary names ``final``."""
    config = trial_config(trial)
    class_names = list(record.class_names)
    when = datetime.now(timezone.utc)
    about = {variant: _description(study.study_name, trial, config, variant, class_names, settings.author, when)
             for variant in ("float32", "int8")}

    started = time.perf_counter()
    model = refit(config, data)
    refit_seconds = time.perf_counter() - started
    model.save(files.keras)
    keras_scores = predict(model, data.test_images(config.image_size))
    write_labels(files.labels, class_names)
    files.float32.write_bytes(with_metadata(to_float32(model), about["float32"], config.image_size, files.labels))
    files.int8.write_bytes(with_metadata(to_int8(model, data.search_images(config.image_size), config.training.seed),
                                         about["int8"], config.image_size, files.labels))
    keras.backend.clear_session()

    test_paths, true_names = record.held_out()
    float32_model, int8_model = LiteRTClassifier(files.float32), LiteRTClassifier(files.int8)
    float32 = compare(float32_model, decode_images(test_paths, float32_model.size), true_names, keras_scores,
                      class_names)
    int8 = compare(int8_model, decode_images(test_paths, int8_model.size), true_names, keras_scores, class_names)
    phone = name_accuracy(int8_model.predicted_labels(phone_images(test_paths, int8_model.size)), true_names)
    keras_accuracy = name_accuracy([class_names[i] for i in np.argmax(keras_scores, axis=1)], true_names)
    phone_checks = run_phone_checks(files, test_paths, true_names, {"float32": float32.accuracy, "int8": int8.accuracy})

    summary = ExportSummary(
        trial=trial.number, description=describe(config), config=config_dict(trial),
        cv_accuracy=float(trial.values[0]), cv_accuracy_std=float(trial.user_attrs.get(TrialAttr.CV_ACCURACY_STD, 0.0)),
        params=int(trial.values[1]), image_size=config.image_size,
        normalisation={"mean": INPUT_NORMALISATION.mean, "std": INPUT_NORMALISATION.std},
        class_names=class_names, test_images=len(test_paths), keras_accuracy=keras_accuracy,
        float32=asdict(float32), int8=asdict(int8), phone_int8_accuracy=phone,
        mediapipe=phone_checks.mediapipe.accuracy, mediapipe_alarm=phone_checks.mediapipe.alarm,
        task_library=phone_checks.task_library.accuracy, task_library_alarm=phone_checks.task_library.alarm,
        float32_matches_keras=float32.max_abs_diff <= FLOAT32_TOLERANCE,  # agreement is reported: near-ties may flip
        int8_drop=keras_accuracy - int8.accuracy, int8_drop_alarm=keras_accuracy - int8.accuracy > INT8_DROP_ALARM,
        sha256={"float32": sha256(files.float32), "int8": sha256(files.int8)},
        refit_seconds=round(refit_seconds, 3), exported_at=when.isoformat(timespec="seconds"), folder=str(final),
    )
    summary.save(study, files)
    return _Exported(summary, true_names, [class_names[i] for i in np.argmax(keras_scores, axis=1)],
                     phone_checks.announcements(trial.number))


def _warn_loudly(summary: ExportSummary, runtime_alarms: list[str]) -> None:
    """Problems go to stderr in capitals: they decide whether a model may go to a phone."""
    if not summary.float32_matches_keras:
        print(f"!!! TRIAL {summary.trial}: THE FLOAT32 TFLITE MODEL DOES NOT MATCH KERAS (max |diff| "
              f"{summary.float32['max_abs_diff']:.2e}, tolerance {FLOAT32_TOLERANCE:.0e}, top-1 agreement "
              f"{summary.float32['agreement']:.3f}); it will not be promoted", file=sys.stderr)
    if summary.int8_drop_alarm:
        print(f"!!! TRIAL {summary.trial}: THE INT8 MODEL LOSES {summary.int8_drop:.1%} TEST ACCURACY "
              f"(Keras {summary.keras_accuracy:.3f} -> int8 {summary.int8['accuracy']:.3f}; alarm above "
              f"{INT8_DROP_ALARM:.0%}); prefer model_float32.tflite on the phone or check the int8 model",
              file=sys.stderr)
    for alarm in runtime_alarms:
        print(alarm, file=sys.stderr)


def export_front(settings: ExportSettings) -> list[ExportSummary]:
    """Export every front trial not yet exported (or whose files changed); print the comparison table."""
    study = open_study(settings.study, settings.storage)
    record = StudyRecord.load(study)
    environments_ready()  # the phone runtimes' environments are checked before any refit
    trials = front_trials(study)
    if not trials:
        print(f"study {settings.study!r} has no completed trial yet: nothing to export")
        return []
    data = study_data(settings.study, record, settings.cache_root,
                      sorted({trial_config(t).image_size for t in trials}))
    summaries, refused = [], {}
    for trial in trials:
        summary = reusable_summary(study, trial, settings.exports_root)
        if summary is None:
            print(f"exporting trial {trial.number}: {description(trial)}", flush=True)
            try:
                summary = export_trial(study, record, trial, data, settings)
            except (ExportError, TrialFailure) as error:  # one bad model must not cost the others their export
                print(f"!!! TRIAL {trial.number} NOT EXPORTED: {error}", file=sys.stderr, flush=True)
                refused[trial.number] = str(error)
                continue
        else:
            print(f"trial {trial.number}: already exported in {summary.folder}")
        summaries.append(summary)
    if summaries:
        print(f"\nfront of study {settings.study!r}: test accuracy on {summaries[0].test_images} held-out images")
        print(format_exports(summaries))
    if refused:
        raise ExportError(_refusal(settings.study, refused, len(summaries)))
    return summaries


def _refusal(study: str, refused: dict[int, str], exported: int) -> str:
    """One line for the exit status: a front model missing from the export is not a success, yet the others
    are saved (a re-run skips them and retries only these)."""
    reasons = "; ".join(f"trial {number}: {reason}" for number, reason in refused.items())
    return (f"{len(refused)} front trial(s) of study {study!r} could not be exported ({exported} exported): {reasons}; "
            "promote the exported ones, or fix the cause and run the export again (it redoes only these)")


def reusable_summary(study: optuna.Study, trial: optuna.trial.FrozenTrial, exports_root: Path) -> ExportSummary | None:
    """The trial's stored export if its files are still exactly the ones measured."""
    summary = ExportSummary.load(study, trial.number)
    files = ExportFiles.of(exports_root, study.study_name, trial.number)
    if summary is None or summary.config != config_dict(trial) or not summary.files_intact(files):
        return None
    return summary


def format_exports(summaries: list[ExportSummary]) -> str:
    """Keras vs float32 vs int8 (and the phone-like path) per front model, with sizes and latency."""
    columns = list(summaries[0].comparison())
    header = ("trial", "model", "params", *columns)
    rows = [(str(s.trial), s.description, f"{s.params:,}", *s.comparison().values()) for s in summaries]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.ljust(w) if i == 1 else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])
