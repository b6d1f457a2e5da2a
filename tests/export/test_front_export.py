"""The front of a real study, exported: metadata read back, class order, runtimes against Keras."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import keras
import numpy as np
import optuna
import pytest

from export.front_export import export_front
from export.refit import study_data
from objectives.data.preprocessing import INPUT_NORMALISATION
from objectives.errors import DataError, ExportError
from objectives.tflite.metadata import read_metadata
from objectives.tflite.verify import FLOAT32_TOLERANCE, LiteRTClassifier, decode_images
from objectives.training.cross_validation import predict
from search.study import ExportFiles, ExportSummary, StudyRecord
from tests.export.conftest import CREATION_ORDER


def _files(exported) -> ExportFiles:
    return ExportFiles.of(exported.settings.exports_root, "shapes", exported.summaries[0].trial)


def _test_files(exported) -> tuple[list[Path], list[str]]:
    names = exported.study.user_attrs["test_files"]
    return [exported.data / name for name in names], [Path(name).parts[0] for name in names]


def test_metadata_read_back_is_the_training_normalisation_and_class_order(exported):
    files = _files(exported)
    assert StudyRecord.load(exported.study).class_names == sorted(CREATION_ORDER) != list(CREATION_ORDER)
    for model in (files.float32, files.int8):
        metadata = read_metadata(model)  # MetadataDisplayer on the written file
        assert metadata.mean == [INPUT_NORMALISATION.mean] * 3 and metadata.std == [INPUT_NORMALISATION.std] * 3
        assert metadata.labels == ["apple", "mango", "zebra"]
        assert (metadata.width, metadata.height) == (16, 16)
        assert metadata.about.author and "plain 16px" in metadata.about.description
    assert files.labels.read_text().splitlines() == ["apple", "mango", "zebra"]


def test_names_created_in_another_order_are_predicted_right_through_labels_txt(exported):
    summary = exported.summaries[0]
    assert summary.keras_accuracy == 1.0, "the shapes are meant to be learnt perfectly; the check below needs it"
    paths, truth = _test_files(exported)
    assert set(truth) == set(CREATION_ORDER)
    for model in (_files(exported).float32, _files(exported).int8):
        classifier = LiteRTClassifier(model)
        assert classifier.predicted_labels(decode_images(paths, classifier.size)) == truth
    assert summary.float32["accuracy"] == summary.int8["accuracy"] == summary.phone_int8_accuracy == 1.0


def test_int8_takes_and_returns_uint8_and_float32_keeps_float(exported):
    int8, float32 = LiteRTClassifier(_files(exported).int8), LiteRTClassifier(_files(exported).float32)
    assert int8.input["dtype"] == np.uint8 and int8.output["dtype"] == np.uint8
    scale, zero_point = int8.input["quantization"]
    assert scale == pytest.approx(1 / 255) and zero_point == 0  # raw camera bytes go straight in
    assert float32.input["dtype"] == np.float32


def test_float32_outputs_match_the_saved_keras_model(exported):
    files = _files(exported)
    model = keras.saving.load_model(files.keras, safe_mode=True)
    paths, _ = _test_files(exported)
    classifier = LiteRTClassifier(files.float32)
    images = decode_images(paths, classifier.size)
    difference = np.abs(classifier.scores_all(images) - predict(model, images))
    assert difference.max() <= FLOAT32_TOLERANCE
    assert exported.summaries[0].float32_matches_keras
    assert exported.summaries[0].float32["max_abs_diff"] == pytest.approx(difference.max(), abs=1e-7)


def test_the_summary_is_stored_and_a_second_export_reuses_it(exported, capsys):
    summary = exported.summaries[0]
    assert ExportSummary.load(exported.study, summary.trial) == summary
    assert json.loads(_files(exported).summary.read_text())["sha256"] == summary.sha256
    assert summary.float32["latency_ms"] > 0 and summary.int8["size_bytes"] > 0
    modified = _files(exported).int8.stat().st_mtime_ns
    again = export_front(exported.settings)
    assert again == [summary] and _files(exported).int8.stat().st_mtime_ns == modified
    out = capsys.readouterr().out
    assert "already exported" in out and "phone int8" in out


def test_changed_data_is_refused_with_a_clear_error(exported):
    record = StudyRecord.load(exported.study)
    changed = StudyRecord(**{**record.__dict__, "fingerprint": "0" * 64})
    with pytest.raises(DataError, match="changed since study 'shapes' ran"):
        study_data("shapes", changed, exported.settings.cache_root, [16])
    gone = StudyRecord(**{**record.__dict__, "data_dir": str(exported.root / "absent")})
    with pytest.raises(DataError, match="no longer exists"):
        study_data("shapes", gone, exported.settings.cache_root, [16])


def test_an_export_shows_in_the_dashboard_and_the_report(exported, tmp_path):
    from optuna.artifacts import get_all_artifact_meta
    from optuna_dashboard import get_note

    from search.views.report import write_report

    study = optuna.load_study(study_name="shapes", storage=exported.settings.storage)
    trial = study.trials[exported.summaries[0].trial]
    note = get_note(optuna.trial.Trial(study, trial._trial_id))
    assert "### Exported" in note and "phone int8" in note and exported.summaries[0].comparison()["keras"] in note
    names = [m.filename for m in get_all_artifact_meta(study)]
    assert f"trial-{trial.number}_confusion_matrix.png" in names
    page = write_report(study, tmp_path / "report").read_text()
    summary = exported.summaries[0]
    assert "phone int8" in page and summary.comparison()["int8"] in page


def test_an_export_killed_midway_leaves_no_trial_folder_that_looks_exported(exported, tmp_path):
    """SIGKILL after the float32 model was written: the trial's export folder does not exist at all; the
    files written so far sit in a folder named as partial."""
    settings = exported.settings
    trial = exported.summaries[0].trial
    process = subprocess.Popen([sys.executable, "-m", "search", "export", "--study", "shapes", "--storage",
                                settings.storage, "--exports", str(tmp_path / "fresh"),
                                "--cache", str(settings.cache_root)],
                               cwd=Path(__file__).parents[2], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    final = tmp_path / "fresh" / "shapes" / "exports" / f"trial-{trial}"
    partial = final.with_name(f".{final.name}.partial-{process.pid}")
    deadline = time.monotonic() + 120
    while not (partial / "model_float32.tflite").exists() and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    assert not final.exists() and (partial / "model.keras").exists()


def test_a_front_trial_that_cannot_be_exported_is_named_and_the_others_are_exported(exported, tmp_path):
    """A copy of the study gains a front trial (cloned through Optuna's API, smaller than the real one) whose
    configuration cannot be built at its image size; the real trial is still exported, the clone is named
    with its reason, and the export ends in one error line (exit 2) rather than a success."""
    shutil.copy(exported.root / "optuna.db", tmp_path / "optuna.db")
    storage = f"sqlite:///{tmp_path}/optuna.db"
    study = optuna.load_study(study_name="shapes", storage=storage)
    good = study.trials[exported.summaries[0].trial]
    config = json.loads(json.dumps(good.user_attrs["config"]))
    config["architecture"]["filters"] = [1, 1, 1]  # three valid conv+pool blocks leave nothing of 16 px
    study.add_trial(optuna.trial.create_trial(values=[0.34, 40], params=good.params, distributions=good.distributions,
                                              user_attrs={**good.user_attrs, "config": config}))
    bad = study.trials[-1].number
    settings = replace(exported.settings, storage=storage, exports_root=tmp_path / "studies")
    with pytest.raises(ExportError, match=rf"1 front trial\(s\) .* \(1 exported\): trial {bad}: .*3 conv\+pool blocks"):
        export_front(settings)
    assert ExportFiles.of(settings.exports_root, "shapes", good.number).int8.is_file()
    assert not ExportFiles.of(settings.exports_root, "shapes", bad).folder.exists()
