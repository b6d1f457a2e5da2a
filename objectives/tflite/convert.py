"""A trained Keras model as TFLite bytes: float32, and full-integer int8 with uint8 input and output.

The int8 model is what most phones run fast; its input is the raw uint8 pixel (quantisation (1/255, 0)
for the [0, 1] input contract), so an app feeds camera bytes directly.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Iterator

import keras
import numpy as np
import tensorflow as tf

from objectives.preprocessing import INPUT_NORMALISATION
from objectives.tflite.native_output import native_stderr_held

REPRESENTATIVE_IMAGES = 200  # enough to calibrate activation ranges; more only slows conversion


def to_float32(model: keras.Model) -> bytes:
    """The model as it is, in float32."""
    return _convert(tf.lite.TFLiteConverter.from_keras_model(model))


def to_int8(model: keras.Model, training_images: np.ndarray, seed: int) -> bytes:
    """Full-integer model calibrated on (a sample of) the uint8 images it was trained on."""
    chosen = np.sort(np.random.default_rng(seed).permutation(len(training_images))[:REPRESENTATIVE_IMAGES])
    samples = INPUT_NORMALISATION.apply(training_images[chosen])
    # The input's quantisation comes from the range calibration sees; pin it to the full pixel range
    # (two values of one image) so it is exactly (1/255, 0) and an app's raw camera bytes are the input.
    samples[0, 0, 0, 0] = INPUT_NORMALISATION.apply(np.uint8(0))
    samples[0, 0, 0, 1] = INPUT_NORMALISATION.apply(np.uint8(255))

    def representative() -> Iterator[list[np.ndarray]]:
        for sample in samples:
            yield [sample[np.newaxis]]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.uint8
    converter.inference_output_type = tf.uint8
    return _convert(converter)


def _convert(converter: tf.lite.TFLiteConverter) -> bytes:
    """Convert without the converter's page of SavedModel signatures on stdout and its C++ log lines
    on stderr, which bury the report."""
    with contextlib.redirect_stdout(io.StringIO()), native_stderr_held(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Statistics for quantized inputs")
        return converter.convert()
