"""The exported files read by the TFLite Task Library (Android's C++ ImageClassifier) in its own environment."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from google.protobuf import __version__ as protobuf_version
from google.protobuf.internal import api_implementation
from PIL import Image

from export.card import CARD_MARKDOWN
from export.phones import task_library
from export.phones.child_classifier import rgb_frames
from export.phones.task_library import PYTHON_VARIABLE, check_models, classify, task_library_python
from objectives.errors import TaskLibraryError
from objectives.tflite.metadata import read_metadata
from objectives.tflite.verify import LiteRTClassifier
from search.cli import main
from search.study import ExportFiles
from tests.conftest import write_image
from tests.export.conftest import held_out_split, promoted, shape_pixels, wrongly_normalised


# tflite-support installs on Python 3.11 only: on a host without one, make install leaves the Task Library out.
needs_task_library = pytest.mark.skipif(not task_library.installed(), reason="no .venv-task-library (no Python 3.11)")


@needs_task_library
def test_the_whole_chain_runs_on_protobuf_5_with_its_c_backend(exported):
    """Train, float32 + int8, metadata, labels, LiteRT and the Task Library, all in the fixture's real export."""
    assert protobuf_version.startswith("5.29.") and api_implementation.Type() == "upb"
    summary = exported.summaries[0]
    files = ExportFiles.of(exported.settings.exports_root, "shapes", summary.trial)
    assert summary.keras_accuracy == 1.0 and summary.float32_matches_keras
    assert LiteRTClassifier(files.int8).input["dtype"] == np.uint8
    assert read_metadata(files.int8).labels == read_metadata(files.float32).labels == ["apple", "mango", "zebra"]
    assert summary.task_library == {"float32": summary.float32["accuracy"], "int8": summary.int8["accuracy"]} == \
        {"float32": 1.0, "int8": 1.0}
    assert not summary.task_library_alarm and "legacy tasklib int8" in summary.comparison()


@needs_task_library
def test_a_promoted_build_is_classified_from_its_metadata_at_litert_accuracy(exported, tmp_path):
    build, card = promoted(exported, tmp_path / "builds")
    accuracy = card["test"]["accuracy"]
    assert accuracy["task_library_float32"] == accuracy["tflite_float32"]
    assert accuracy["task_library_int8"] == accuracy["tflite_int8"]
    assert card["test"]["task_library_alarm"] is False
    assert "legacy TFLite Task Library" in (build / "model_card.md").read_text()

    # Again from the build's two files alone, on the card's own test list.
    paths = [Path(card["data"]["data_dir"]) / name for name in card["test"]["files"]]
    truth = [Path(name).parts[0] for name in card["test"]["files"]]
    check = check_models({"float32": build / "model_float32.tflite", "int8": build / "model_int8.tflite"}, paths, truth,
                         {"float32": accuracy["tflite_float32"], "int8": accuracy["tflite_int8"]})
    assert check.accuracy == {"float32": accuracy["tflite_float32"], "int8": accuracy["tflite_int8"]}
    assert not check.alarm and check.announcement(0) is None


@needs_task_library
def test_wrong_normalisation_in_a_builds_metadata_is_caught(exported, tmp_path):
    """(pixel - 255) / 255 instead of training's pixel / 255: bright becomes dark for the float32 model.

    The Task Library applies the metadata's normalisation to a float input only; the int8 model takes the
    resized bytes as they are, so its accuracy stays."""
    summary, wrong = exported.summaries[0], wrongly_normalised(exported, tmp_path)
    assert read_metadata(wrong["float32"]).mean == read_metadata(wrong["int8"]).mean == [255.0] * 3
    paths, truth = held_out_split(exported)
    check = check_models(wrong, paths, truth,
                         {"float32": summary.float32["accuracy"], "int8": summary.int8["accuracy"]})
    assert check.accuracy["float32"] < summary.float32["accuracy"] - 0.1 and check.accuracy["int8"] == 1.0
    assert check.alarm
    message = check.announcement(summary.trial)
    assert "DISAGREES WITH LITERT" in message and "float32" in message and "int8" not in message


@needs_task_library
def test_a_greyscale_image_is_classified_as_rgb(exported, tmp_path):
    """create_from_file refuses greyscale; the runner hands over RGB frames, as a camera's are."""
    grey = write_image(tmp_path / "zebra.png", shape_pixels("zebra", np.random.default_rng(5))[..., 0], mode="L")
    (pixels,) = rgb_frames([grey])
    assert pixels.shape == (24, 24, 3) and pixels.dtype == np.uint8
    model = ExportFiles.of(exported.settings.exports_root, "shapes", exported.summaries[0].trial).float32
    assert classify([model], [grey]) == {model: ["zebra"]}


@needs_task_library
def test_frames_of_any_size_stream_through_in_order(exported, tmp_path):
    """Full-size images of different shapes, one after the other, as the export sends a real test split."""
    rng = np.random.default_rng(7)
    shapes = [("apple", 40, 30), ("zebra", 24, 64), ("mango", 90, 90), ("apple", 24, 24)]
    paths = []
    for i, (name, height, width) in enumerate(shapes):
        pixels = np.asarray(Image.fromarray(shape_pixels(name, rng)).resize((width, height), Image.Resampling.NEAREST))
        paths.append(write_image(tmp_path / f"{i}.png", pixels))
    files = ExportFiles.of(exported.settings.exports_root, "shapes", exported.summaries[0].trial)
    predicted = classify([files.float32, files.int8], paths)
    assert predicted[files.float32] == predicted[files.int8] == [name for name, _, _ in shapes]


def test_a_missing_environment_is_one_line_with_the_command_that_makes_it(exported, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(PYTHON_VARIABLE, str(tmp_path / "absent" / "python"))
    with pytest.raises(TaskLibraryError, match="has no Python; create it with: make task-library"):
        task_library_python()
    for command in ("export", "promote"):  # through the command line's own error handling, before any work
        arguments = ["--trial", "0", "--builds", str(tmp_path / "builds")] if command == "promote" else []
        code = main([command, "--study", "shapes", "--storage", exported.settings.storage,
                     "--exports", str(tmp_path / "exports"), *arguments])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith("error: the TFLite Task Library is needed") and "make task-library" in err
    assert not (tmp_path / "exports").exists() and not (tmp_path / "builds").exists()


def test_a_broken_environment_is_one_line_too(exported, tmp_path, monkeypatch):
    """A Python without tflite-support (this one's own base interpreter has none) fails in one line, not silently."""
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    monkeypatch.setenv(PYTHON_VARIABLE, str(bare / "bin" / "python"))
    model = ExportFiles.of(exported.settings.exports_root, "shapes", exported.summaries[0].trial).int8
    image = write_image(tmp_path / "black.png", np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(TaskLibraryError, match="failed on model_int8.tflite: ModuleNotFoundError"):
        classify([model], [image])
    shutil.rmtree(bare)


def test_a_host_without_python_3_11_promotes_with_the_legacy_column_not_run(exported, tmp_path, monkeypatch, capsys):
    """tflite-support installs on Python 3.11 only: where make install left its environment out, the build is
    made and checked by MediaPipe as ever, and the card, table and MLflow say the legacy column was not run."""
    monkeypatch.delenv(PYTHON_VARIABLE, raising=False)
    monkeypatch.setattr(task_library, "ENVIRONMENT", tmp_path / "no-python-3.11")
    build, card = promoted(exported, tmp_path / "builds")
    assert capsys.readouterr().err.count(task_library.NOT_INSTALLED) == 1
    accuracy = card["test"]["accuracy"]
    assert accuracy["task_library_float32"] is accuracy["task_library_int8"] is None
    assert accuracy["mediapipe_float32"] == accuracy["mediapipe_int8"] == 1.0
    card_text = (build / CARD_MARKDOWN).read_text()
    assert "legacy TFLite Task Library (deprecated) | not run (no .venv-task-library" in card_text
    assert not card["test"]["task_library_alarm"]
    row = replace(exported.summaries[0], task_library={}).comparison()
    assert row["legacy tasklib f32"] == row["legacy tasklib int8"] == "-"
