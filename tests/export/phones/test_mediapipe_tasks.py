"""The exported files read by MediaPipe Tasks' ImageClassifier (what Android apps use) in its own environment,
and the resize training uses pinned to MediaPipe's own. MediaPipe runs for real: no mock."""

from __future__ import annotations

from pathlib import Path

import keras
import mlflow
import numpy as np
import pytest
from PIL import Image

from export.phones.mediapipe_tasks import check_models, classify, scores
from export.registry import BUILD_METRIC_PREFIX
from objectives.data.preprocessing import RESIZE_METHOD, decode_rgb, resize
from objectives.errors import MediaPipeError
from objectives.tflite.convert import to_float32
from objectives.tflite.environments import MEDIAPIPE_PYTHON_VARIABLE as PYTHON_VARIABLE, mediapipe_python
from objectives.tflite.metadata import ModelDescription, with_metadata, write_labels
from search.cli import main
from search.study import ExportFiles
from tests.conftest import write_image
from tests.export.conftest import held_out_split, promoted, renormalised, wrongly_normalised


def identity_model(folder: Path, size: int) -> Path:
    """A float32 classifier whose size*size*3 "class scores" are its input pixels / 255, with this project's
    metadata: MediaPipe's scores are then exactly the pixels its own resize gave the model."""
    count = size * size * 3
    inputs = keras.Input((size, size, 3))
    dense = keras.layers.Dense(count, use_bias=False)
    model = keras.Model(inputs, dense(keras.layers.Flatten()(inputs)))
    dense.set_weights([np.eye(count, dtype=np.float32)])
    labels = write_labels(folder / "labels.txt", [f"value{i}" for i in range(count)])
    path = folder / f"identity{size}.tflite"
    path.write_bytes(with_metadata(to_float32(model), ModelDescription("identity", "1", "pixels out", "tests"), size,
                                   labels))
    keras.backend.clear_session()
    return path


def test_the_resize_training_uses_is_mediapipes_own(tmp_path):
    """Non-square, non-multiple originals (37x23 -> 8 first), a photo-sized one and smaller-than-input ones:
    MediaPipe's ImageClassifier gives the model exactly the pixels objectives.data.preprocessing.resize makes."""
    rng = np.random.default_rng(0)
    shapes = [(23, 37), (28, 28), (384, 512), (100, 30), (5, 6)]  # (height, width)
    paths = [write_image(tmp_path / f"{h}x{w}.png", rng.integers(0, 256, (h, w, 3), dtype=np.uint8)) for h, w in shapes]
    model = identity_model(tmp_path, 8)
    seen = np.rint(scores(model, paths) * 255).reshape(len(paths), 8, 8, 3)
    ours = np.stack([resize(decode_rgb(path), 8) for path in paths]).astype(float)
    assert np.array_equal(seen, ours)
    pillow = np.asarray(Image.open(paths[0]).resize((8, 8), Image.Resampling.BILINEAR), dtype=float)
    assert np.abs(pillow - seen[0]).max() > 50  # the former resize (antialiased Pillow) is not what the phone does


def test_every_export_is_checked_by_mediapipe_at_litert_accuracy(exported):
    """The fixture's real export: float32 and int8 through MediaPipe on the original test images."""
    summary = exported.summaries[0]
    assert summary.mediapipe == {"float32": summary.float32["accuracy"], "int8": summary.int8["accuracy"]} == \
        {"float32": 1.0, "int8": 1.0}
    columns = summary.comparison()
    assert not summary.mediapipe_alarm and columns["mediapipe f32"] == columns["mediapipe int8"] == "1.000"
    assert "legacy tasklib int8" in columns and "MEDIAPIPE-DIFF" not in columns[""]


def test_a_promoted_build_card_and_mlflow_hold_mediapipe_beside_keras_and_litert(exported, tmp_path):
    build, card = promoted(exported, tmp_path / "builds")
    accuracy = card["test"]["accuracy"]
    assert accuracy["mediapipe_float32"] == accuracy["tflite_float32"]
    assert accuracy["mediapipe_int8"] == accuracy["tflite_int8"]
    for name, variant in (("model_float32.tflite", "float32"), ("model_int8.tflite", "int8")):
        entry = card["files"][name]["mediapipe"]
        assert entry == {"accuracy": accuracy[f"mediapipe_{variant}"], "litert_accuracy": accuracy[f"tflite_{variant}"],
                         "gap": 0.0, "alarm": False}
    assert card["test"]["mediapipe_alarm"] is False
    assert "MediaPipe Tasks ImageClassifier" in (build / "model_card.md").read_text()
    metrics = mlflow.MlflowClient().get_run(card["mlflow"]["run_id"]).data.metrics
    assert {metrics[f"{BUILD_METRIC_PREFIX}{k}"] for k in ("keras", "tflite_int8", "mediapipe_int8")} == {1.0}


def test_wrong_normalisation_is_caught_and_named_as_the_cause(exported, tmp_path):
    """(pixel - 255) / 255 instead of training's pixel / 255: MediaPipe applies it to the float32 input only."""
    summary, wrong = exported.summaries[0], wrongly_normalised(exported, tmp_path)
    paths, truth = held_out_split(exported)
    check = check_models(wrong, paths, truth,
                         {"float32": summary.float32["accuracy"], "int8": summary.int8["accuracy"]})
    assert check.accuracy["float32"] < summary.float32["accuracy"] - 0.1 and check.accuracy["int8"] == 1.0
    message = check.announcement(summary.trial)
    assert "MEDIAPIPE" in message and "float32 " in message and "int8 " not in message
    assert "model_float32.tflite's metadata normalises with mean [255.0, 255.0, 255.0]" in message
    # The int8 file takes uint8 pixels, so its metadata's normalisation cannot be a cause: the resize is named.
    assert f"the one training used ({RESIZE_METHOD}" in check.causes["int8"]


def test_per_channel_normalisation_is_refused_by_mediapipe_in_one_line(exported, tmp_path):
    """MediaPipe's rule: one mean and one std for the three channels; the metadata writer must keep to it."""
    source = ExportFiles.of(exported.settings.exports_root, "shapes", exported.summaries[0].trial).float32
    per_channel = tmp_path / source.name
    per_channel.write_bytes(renormalised(source, 0.0, 255.0, channel_means=[0.0, 10.0, 20.0]))
    paths, _ = held_out_split(exported)
    with pytest.raises(MediaPipeError, match="failed on model_float32.tflite: .*[Pp]er-channel") as caught:
        classify([per_channel], paths[:1])
    assert "\n" not in str(caught.value)


def test_a_missing_environment_is_one_line_before_any_work(exported, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(PYTHON_VARIABLE, str(tmp_path / "absent" / "python"))
    with pytest.raises(MediaPipeError, match="has no Python; create it with: make install"):
        mediapipe_python()
    code = main(["export", "--study", "shapes", "--storage", exported.settings.storage, "--exports",
                 str(tmp_path / "exports")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: MediaPipe is needed")
    assert not (tmp_path / "exports").exists()
