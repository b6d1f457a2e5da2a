"""Run a .tflite file the way a phone app does, with the LiteRT interpreter, and compare it with Keras.

The classifier knows nothing but the file: input size, mean and std come from the metadata, the label
order from the packed label file, quantisation from the tensors. If the metadata disagreed with
training, the accuracies measured here would show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from objectives.data.preprocessing import decode_rgb, resize
from objectives.errors import ExportError
from objectives.tflite.metadata import ReadMetadata, read_metadata
from objectives.tflite.native_output import native_stderr_held
from objectives.tflite.probe import LATENCY_RUNS, median_invoke_ms

# Float32 TFLite and Keras run the same float32 graph with different kernels (summation order, fused
# batch norm), so they differ by rounding noise only, of the order of 1e-6 on the output probabilities over
# every family (tests/export/test_families.py holds each family's file to this FLOAT32_TOLERANCE). 1e-4 leaves
# room for deeper models, yet a real fault -- another normalisation, a layer lost or a statistic not carried
# over -- moves outputs by 1e-2 or more.
FLOAT32_TOLERANCE = 1e-4
# An int8 model losing more test accuracy than this against Keras is announced, not hidden.
INT8_DROP_ALARM = 0.02


class LiteRTClassifier:
    """One .tflite classifier on a single-threaded LiteRT interpreter, one image per call like an app."""

    def __init__(self, model_path: Path, num_threads: int = 1):
        self.path = Path(model_path)
        self.metadata: ReadMetadata = read_metadata(self.path)
        try:
            with native_stderr_held():
                self.interpreter = Interpreter(model_path=str(self.path), num_threads=num_threads)
                self.interpreter.allocate_tensors()
        except (RuntimeError, ValueError) as error:  # what LiteRT raises for a file it cannot run
            raise ExportError(f"{self.path}: the LiteRT interpreter (XNNPACK delegate, {num_threads} thread) refused "
                              f"it: {' '.join(str(error).split())}") from error
        self.input = self.interpreter.get_input_details()[0]
        self.output = self.interpreter.get_output_details()[0]

    @property
    def size(self) -> int:
        """The square input size the metadata declares (an app resizes to this)."""
        return self.metadata.width

    @property
    def labels(self) -> list[str]:
        return self.metadata.labels

    def input_tensor(self, pixels: np.ndarray) -> np.ndarray:
        """uint8 H x W x 3 pixels -> the input tensor: normalised per the metadata, then quantised if integer."""
        if pixels.shape[:2] != (self.metadata.height, self.metadata.width):
            raise ExportError(f"{self.path.name}: {self.metadata.width}x{self.metadata.height} images must be given, "
                              f"but got {pixels.shape[1]}x{pixels.shape[0]}; resize them first "
                              "(objectives.data.preprocessing.resize)")
        values = (pixels.astype(np.float32) - np.float32(self.metadata.mean)) / np.float32(self.metadata.std)
        dtype = self.input["dtype"]
        if np.issubdtype(dtype, np.integer):
            scale, zero_point = self.input["quantization"]
            info = np.iinfo(dtype)
            values = np.clip(np.round(values / scale + zero_point), info.min, info.max)
        return values.astype(dtype)[np.newaxis]

    def scores(self, pixels: np.ndarray) -> np.ndarray:
        """Class probabilities (dequantised for an integer output) for one image."""
        self.interpreter.set_tensor(self.input["index"], self.input_tensor(pixels))
        self.interpreter.invoke()
        raw = self.interpreter.get_tensor(self.output["index"])[0]
        if np.issubdtype(self.output["dtype"], np.integer):
            scale, zero_point = self.output["quantization"]
            return (raw.astype(np.float32) - zero_point) * scale
        return raw.astype(np.float32)

    def scores_all(self, images: np.ndarray) -> np.ndarray:
        return np.stack([self.scores(image) for image in images])

    def predicted_labels(self, images: np.ndarray) -> list[str]:
        """Predictions as names, through the packed label file: what the app displays."""
        return [self.labels[i] for i in np.argmax(self.scores_all(images), axis=1)]

    def median_latency_ms(self, pixels: np.ndarray, runs: int = LATENCY_RUNS) -> float:
        self.interpreter.set_tensor(self.input["index"], self.input_tensor(pixels))
        return median_invoke_ms(self.interpreter, runs)


@dataclass(frozen=True)
class Comparison:
    """One TFLite file against the Keras model on the same test images."""

    accuracy: float
    agreement: float  # share of images where the top-1 class equals Keras'
    max_abs_diff: float  # largest |probability difference| over all images and classes
    size_bytes: int
    latency_ms: float


def name_accuracy(predicted: list[str], true_names: list[str]) -> float:
    """The share of images named as their class folder names them (or as another classifier names them)."""
    return float(np.mean([p == t for p, t in zip(predicted, true_names)]))


def compare(classifier: LiteRTClassifier, images: np.ndarray, true_names: list[str], keras_scores: np.ndarray,
            class_names: list[str]) -> Comparison:
    """Accuracy, agreement and output difference against Keras on uint8 ``images``.

    Accuracy is counted on names: the file's prediction through its own packed label file against the
    image's class folder, so a label file in the wrong order cannot pass unnoticed.
    """
    scores = classifier.scores_all(images)
    predicted = [classifier.labels[i] for i in np.argmax(scores, axis=1)]
    keras_predicted = [class_names[i] for i in np.argmax(keras_scores, axis=1)]
    return Comparison(
        accuracy=name_accuracy(predicted, true_names),
        agreement=name_accuracy(predicted, keras_predicted),
        max_abs_diff=float(np.max(np.abs(scores - keras_scores))),
        size_bytes=classifier.path.stat().st_size,
        latency_ms=classifier.median_latency_ms(images[0]),
    )


def decode_images(paths: list[Path], size: int) -> np.ndarray:
    """Images decoded from their files and resized for a model of ``size`` (the shared preprocessing)."""
    return np.stack([resize(decode_rgb(path), size) for path in paths])
