"""The MLflow side of a promotion: the trial's run holds the phone build, the registry points at its int8 model.

A ``.tflite`` file is not an MLflow model flavour, so the version is registered from the artifact's URI
(``create_model_version(name, source=<artifact uri>, run_id=...)``) rather than with ``log_model``. The alias ``phone``
always names the version the phone build was made from; promoting
another trial moves it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import optuna
from mlflow import MlflowClient
from mlflow.entities import Metric
from optuna.trial import FrozenTrial

from search.tracking.logbook import Logbook
from search.tracking.settings import STUDY_TAG, TRIAL_TAG, tracking_uri

PHONE_ALIAS = "phone"
BUILD_ARTIFACTS = "phone-build"
# A version's source must be a folder: models:/ downloads list it (a file source downloads as nothing).
MODEL_ARTIFACTS = "int8-model"
BUILD_METRIC_PREFIX = "phone_build_test_accuracy_"  # + keras, tflite_float32, mediapipe_int8, ...


@dataclass(frozen=True)
class Registration:
    tracking_uri: str
    run_id: str
    model_name: str
    version: int
    alias: str
    model_uri: str  # models:/name@alias, what download_artifacts takes


def registered_model_name(study: str) -> str:
    return f"{study}-phone"


def trial_run(study: optuna.Study, trial: FrozenTrial, storage_url: str) -> str:
    """The id of the trial's run; if the search logged none (MLflow was off or down), it is logged now,
    with the trial's whole record, as sync-mlflow would."""
    logbook = Logbook(study.study_name, storage_url)
    found = logbook.find_trial_run(trial.number)
    if found:
        return found.info.run_id
    logbook.parent_run_id(study)  # the trial's run nests under the study's, made from its record if need be
    return logbook.log_trial(trial)


def register_build(optuna_study: optuna.Study, frozen: FrozenTrial, storage_url: str, build: Path,
                   int8_name: str) -> Registration:
    """Log the build folder to the trial's run, register its int8 model (alone in a folder of its own),
    and move the ``phone`` alias to the new version."""
    study, trial = optuna_study.study_name, frozen.number
    uri = tracking_uri()
    run_id = trial_run(optuna_study, frozen, storage_url)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    client.log_artifacts(run_id, str(build), artifact_path=BUILD_ARTIFACTS)
    client.log_artifact(run_id, str(build / int8_name), artifact_path=MODEL_ARTIFACTS)
    name = registered_model_name(study)
    if not client.search_registered_models(filter_string=f"name = '{name}'"):
        client.create_registered_model(name, description=f"Phone (int8 TFLite) models of Optuna study {study!r}")
    source = f"{client.get_run(run_id).info.artifact_uri}/{MODEL_ARTIFACTS}"
    version = client.create_model_version(name, source=source, run_id=run_id,
                                          tags={STUDY_TAG: study, TRIAL_TAG: str(trial)},
                                          description=f"trial {trial} of study {study!r}, int8 TFLite")
    client.set_registered_model_alias(name, PHONE_ALIAS, version.version)
    return Registration(uri, run_id, name, int(version.version), PHONE_ALIAS, f"models:/{name}@{PHONE_ALIAS}")


def log_card(registration: Registration, accuracy: dict[str, float | None], files: Sequence[Path]) -> None:
    """The model card (written once the version is known) into the run's phone build, and the build's held-out
    accuracies (Keras, LiteRT, MediaPipe, ...) as metrics of the trial's run, side by side in MLflow's run view
    and comparable across promoted trials; a runtime not run here (None) has no metric."""
    client = MlflowClient(tracking_uri=registration.tracking_uri)
    client.log_batch(registration.run_id, metrics=[
        Metric(f"{BUILD_METRIC_PREFIX}{name}", float(value), int(time.time() * 1000), 0)
        for name, value in accuracy.items() if value is not None])
    for path in files:
        client.log_artifact(registration.run_id, str(path), BUILD_ARTIFACTS)
