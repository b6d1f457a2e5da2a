"""LiteRT refusing a file: the export's error names the file, the runtime and the runtime's own message."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from objectives.data.preprocessing import INPUT_NORMALISATION
from objectives.errors import ExportError
from objectives.tflite.metadata import ModelDescription, with_metadata, write_labels
from objectives.tflite.verify import LiteRTClassifier
from tests.objectives.tflite.test_convert import dead_relu_model


def stock_int8(model, images: np.ndarray) -> bytes:
    """TensorFlow's own full-integer recipe, without the project's repair of all-zero activations: the file
    LiteRT refused on a Fashion-MNIST front (XNNPACK: failed to prepare)."""
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([INPUT_NORMALISATION.apply(image[np.newaxis])] for image in images)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = converter.inference_output_type = tf.uint8
    return converter.convert()


def test_a_file_litert_refuses_is_an_export_error_naming_file_runtime_and_reason(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (20, 8, 8, 3), dtype=np.uint8)
    labels = tmp_path / "labels.txt"
    write_labels(labels, [f"c{i}" for i in range(10)])
    path = tmp_path / "model_int8.tflite"
    about = ModelDescription(name="dead relu", version="1", description="chance", author="test")
    path.write_bytes(with_metadata(stock_int8(dead_relu_model(), images), about, 8, labels))
    with pytest.raises(ExportError) as refused:
        LiteRTClassifier(path)
    message = str(refused.value)
    assert str(path) in message and "LiteRT" in message and "XNNPACK" in message and "failed to prepare" in message
    assert "\n" not in message
