"""Promotion of a real exported trial: the build folder, the model card, the MLflow registry, the refusals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import mlflow
import numpy as np
import optuna
import pytest

from export.card import CARD_JSON, CARD_MARKDOWN
from export.promote import PromoteSettings, chosen_trial, promote
from export.registry import PHONE_ALIAS, registered_model_name
from objectives.errors import StudyError
from objectives.tflite.verify import LiteRTClassifier, decode_images
from search.runner.run import RunSettings, run_study
from tests.export.conftest import plain_space


@pytest.fixture
def mlflow_store(tmp_path, monkeypatch) -> str:
    uri = f"sqlite:///{tmp_path}/mlflow/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return uri


def _promote(exported, tmp_path, trial: int, force: bool = False) -> Path:
    return promote(PromoteSettings(export=exported.settings, trial=trial, force=force, builds_root=tmp_path / "builds"))


def test_promote_writes_the_build_and_its_numbers_are_reproduced_by_litert(exported, tmp_path, mlflow_store):
    trial = exported.summaries[0].trial
    build = _promote(exported, tmp_path, trial)
    assert build == tmp_path / "builds" / "shapes" / f"trial-{trial}"
    assert sorted(p.name for p in build.iterdir()) == sorted(
        ["model_float32.tflite", "model_int8.tflite", "labels.txt", CARD_JSON, CARD_MARKDOWN])
    card = json.loads((build / CARD_JSON).read_text())
    assert card["study"] == "shapes" and card["trial"] == trial and card["class_names"] == ["apple", "mango", "zebra"]
    assert card["input"]["normalisation"] == {"mean": 0.0, "std": 255.0} and card["input"]["width"] == 16

    # Reproduce the card's test accuracies from the two files alone, as the "done when" asks.
    paths = [Path(card["data"]["data_dir"]) / name for name in card["test"]["files"]]
    truth = [Path(name).parts[0] for name in card["test"]["files"]]
    for file_name, key in (("model_float32.tflite", "tflite_float32"), ("model_int8.tflite", "tflite_int8")):
        classifier = LiteRTClassifier(build / file_name)
        predicted = classifier.predicted_labels(decode_images(paths, classifier.size))
        assert np.mean([p == t for p, t in zip(predicted, truth)]) == card["test"]["accuracy"][key]
        assert (build / file_name).stat().st_size == card["files"][file_name]["bytes"]

    # The registry's "phone" alias serves exactly the build's int8 file, from the trial's run.
    name = registered_model_name("shapes")
    client = mlflow.MlflowClient(tracking_uri=mlflow_store, registry_uri=mlflow_store)
    version = client.get_model_version_by_alias(name, PHONE_ALIAS)
    assert version.version == card["mlflow"]["version"] and version.run_id == card["mlflow"]["run_id"]
    mlflow.set_registry_uri(mlflow_store)
    downloaded = Path(mlflow.artifacts.download_artifacts(f"models:/{name}@{PHONE_ALIAS}",
                                                          dst_path=str(tmp_path / "dl")))
    assert sorted(p.name for p in downloaded.iterdir()) == ["model_int8.tflite"]
    assert (downloaded / "model_int8.tflite").read_bytes() == (build / "model_int8.tflite").read_bytes()
    assert f"version {version.version}" in (build / CARD_MARKDOWN).read_text()

    # Promoting again makes a new version in the same run and moves the alias to it.
    _promote(exported, tmp_path, trial)
    moved = client.get_model_version_by_alias(name, PHONE_ALIAS)
    assert moved.version == version.version + 1 and moved.run_id == version.run_id


def test_a_missing_trial_is_refused(exported):
    with pytest.raises(StudyError, match="has no trial 99 .*front trials: 0"):
        chosen_trial(exported.study, 99, force=False)


def test_a_dominated_trial_needs_force_and_then_warns(exported, capsys):
    study = optuna.load_study(study_name="shapes", storage=exported.settings.storage)
    best = exported.study.best_trials[0]
    # A trial recorded with Optuna's own add_trial, worse on both objectives by construction.
    study.add_trial(optuna.trial.create_trial(values=[best.values[0] / 2, best.values[1] * 2],
                                              distributions=best.distributions, params=best.params,
                                              user_attrs=dict(best.user_attrs)))
    dominated = study.get_trials()[-1].number
    with pytest.raises(StudyError, match=f"trial {dominated} .* not on the Pareto front.*--force"):
        chosen_trial(study, dominated, force=False)
    assert chosen_trial(study, dominated, force=True).number == dominated
    assert "not on the Pareto front" in capsys.readouterr().err


def test_a_failed_trial_is_refused_with_its_reason_in_one_line(exported, tmp_path):
    """A real refusal: three conv blocks cannot run on 16x16 images, so the trial is infeasible, never trained."""
    storage = exported.settings.storage
    run_study(RunSettings(study="broken", storage=storage, trials=1, data_dir=exported.data,
                          space=plain_space(tmp_path / "space.yaml", conv_blocks={"low": 3, "high": 3}),
                          cache_root=exported.settings.cache_root))
    result = subprocess.run([sys.executable, "-m", "search", "promote", "--study", "broken", "--storage", storage,
                             "--trial", "0", "--builds", str(tmp_path / "builds"), "--exports", str(tmp_path / "x")],
                            capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "trial 0 of study 'broken' is PRUNED (infeasible, not trained: plain network" in result.stderr
    assert "only a COMPLETE trial" in result.stderr and not (tmp_path / "builds").exists()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_promote_killed_midway_leaves_the_previous_build_whole(exported, tmp_path, mlflow_store):
    """SIGKILL while the new build is being written (files copied, MLflow registration under way): the
    build folder still holds the complete previous build, and the next promote clears the leftover."""
    trial = exported.summaries[0].trial
    build = _promote(exported, tmp_path, trial)
    before = _files(build)
    settings = exported.settings
    process = subprocess.Popen([sys.executable, "-m", "search", "promote", "--study", "shapes", "--storage",
                                settings.storage, "--trial", str(trial), "--builds", str(tmp_path / "builds"),
                                "--exports", str(settings.exports_root), "--cache", str(settings.cache_root)],
                               cwd=Path(__file__).parents[2], env={**os.environ, "MLFLOW_TRACKING_URI": mlflow_store},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    partial = build.with_name(f".{build.name}.partial-{process.pid}")
    deadline = time.monotonic() + 120
    while not (partial.is_dir() and (partial / "labels.txt").exists()) and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    assert _files(build) == before  # whole, and the old one: nothing half-written where a reader looks
    assert partial.exists()  # the leftover is named as partial, beside it
    _promote(exported, tmp_path, trial)
    assert not partial.exists() and set(_files(build)) == set(before)
