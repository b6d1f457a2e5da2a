"""Every architecture family converts to float32 and int8 TFLite and runs under LiteRT like in Keras, and so
do the plain family's options for tiny networks (same padding, average head, no hidden Dense layer). Every
family and every generator's files are also accepted by MediaPipe Tasks' ImageClassifier (its custom-model
rules: batch 1, RGB, uint8 or float32 input with one mean and std, labels as a TENSOR_AXIS_LABELS file),
which names the original images as LiteRT does on training's resize of them.

Generators 3 and 4 put the FeaturewiseStandardization layer in the model and shufflenet has two custom
layers: all of them must survive conversion with their fitted values.
"""

from __future__ import annotations

import numpy as np
import pytest

from export.phones.mediapipe_tasks import classify
from objectives.config import ArchitectureConfig, TrainingConfig, TrialConfig
from objectives.data.prepared import prepare
from objectives.tflite.convert import to_float32, to_int8
from objectives.tflite.metadata import ModelDescription, read_metadata, with_metadata, write_labels
from objectives.tflite.verify import FLOAT32_TOLERANCE, LiteRTClassifier, compare
from objectives.training.cross_validation import (
    compiled_model,
    fit,
    predict,
    standardizer_of,
    steps_per_epoch,
)

FAMILIES = [
    (ArchitectureConfig("plain", (4,), (8,)), 3),
    (ArchitectureConfig("plain", (4, 4), (), padding="same", head="flatten"), 1),
    (ArchitectureConfig("plain", (4, 8), (8,), padding="same", head="average"), 4),
    (ArchitectureConfig("mobilenet", (8, 16), (8,)), 4),
    (ArchitectureConfig("mobilenetv2", (8, 16), (8,), expansion=2), 2),
    (ArchitectureConfig("shufflenet", (8, 16), (8,), groups=2), 3),
]


@pytest.mark.parametrize("architecture, generator", FAMILIES,
                         ids=[f"{a.family}-{a.padding}-{a.head}" if a.family == "plain" else a.family
                              for a, _ in FAMILIES])
def test_a_family_converts_and_verifies(architecture, generator, small_digits, tmp_path):
    data = prepare(small_digits, tmp_path / "cache", [16], 0.25, 0)
    config = TrialConfig(16, generator, architecture, TrainingConfig(epochs=1, folds=2))
    model = compiled_model(config, len(data.class_names), steps_per_epoch([len(data.search_indices)], 32))
    fit(model, config, data.search_images(16), data.search_labels)
    if generator >= 3:
        assert standardizer_of(model).is_fitted()
    labels = write_labels(tmp_path / "labels.txt", list(data.class_names))
    about = ModelDescription("test", "1", architecture.family, "tests")
    (tmp_path / "f.tflite").write_bytes(with_metadata(to_float32(model), about, 16, labels))
    (tmp_path / "q.tflite").write_bytes(with_metadata(to_int8(model, data.search_images(16), 0), about, 16, labels))

    images = data.test_images(16)
    truth = [data.class_names[i] for i in data.folder.labels[data.test_indices]]
    keras_scores = predict(model, images)
    float32 = compare(LiteRTClassifier(tmp_path / "f.tflite"), images, truth, keras_scores, list(data.class_names))
    assert float32.max_abs_diff <= FLOAT32_TOLERANCE and float32.agreement == 1.0
    int8 = LiteRTClassifier(tmp_path / "q.tflite")
    assert int8.input["dtype"] == np.uint8 and read_metadata(tmp_path / "q.tflite").labels == list(data.class_names)
    # int8 is only close, not equal: its probabilities stay within a few quantisation steps of Keras'.
    assert np.max(np.abs(int8.scores_all(images) - keras_scores)) < 0.1

    float_file, int8_file = tmp_path / "f.tflite", tmp_path / "q.tflite"
    originals = [small_digits / name for name in data.test_files]  # 8x8 scans: MediaPipe squares them itself
    mediapipe = classify([float_file, int8_file], originals)
    assert mediapipe[float_file] == LiteRTClassifier(float_file).predicted_labels(images)
    assert mediapipe[int8_file] == int8.predicted_labels(images)
