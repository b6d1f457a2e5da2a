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
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

from objectives.data.preprocessing import INPUT_NORMALISATION
from objectives.tflite.native_output import native_stderr_held

REPRESENTATIVE_IMAGES = 200  # enough to calibrate activation ranges; more only slows conversion
# A layer whose output calibration saw only zeros (a ReLU that never fires: a model trained to chance,
# e.g. one 3x3 filter with a large negative bias) gets the degenerate range [-1e-6, 1e-6] from the
# converter, scale 2e-6/255 = 7.8e-9. The convolution feeding it then needs a requantisation factor
# input_scale * filter_scale / output_scale of ~1e3, above the 256 XNNPACK accepts, and LiteRT refuses
# the whole file ("failed to create XNNPACK runtime ... failed to prepare"). Such a tensor holds zeros
# only, so any scale represents it exactly (zero point kept); 1/255 is the input's own scale.
DEGENERATE_SCALE = 1e-7  # a range below 2.55e-5 on int8: nothing but the converter's widened zero
SAFE_SCALE = 1.0 / 255.0


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
    return _widen_degenerate_ranges(_convert(converter))


def _widen_degenerate_ranges(content: bytes) -> bytes:
    """The int8 file with every all-zero activation's scale set to ``SAFE_SCALE`` (see DEGENERATE_SCALE)."""
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(content))
    changed = False
    for tensor in (t for graph in model.subgraphs for t in graph.tensors):
        scale = None if tensor.quantization is None else tensor.quantization.scale
        weights = model.buffers[tensor.buffer].data if tensor.buffer < len(model.buffers) else None
        if tensor.type == schema.TensorType.INT8 and scale is not None and len(scale) == 1 \
                and (weights is None or len(weights) == 0) and 0 < scale[0] < DEGENERATE_SCALE:
            tensor.quantization.scale = [SAFE_SCALE]
            changed = True
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model)) if changed else content


def _convert(converter: tf.lite.TFLiteConverter) -> bytes:
    """Convert without the converter's page of SavedModel signatures on stdout and its C++ log lines
    on stderr, which bury the report."""
    with contextlib.redirect_stdout(io.StringIO()), native_stderr_held(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Statistics for quantized inputs")
        return converter.convert()
