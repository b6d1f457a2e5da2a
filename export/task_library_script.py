"""Classify images with the TFLite Task Library's ImageClassifier; runs inside .venv-task-library only.

This file is run as a script by ``export.task_library`` with the small environment's Python (which holds
tflite-support 0.4.4, pillow and numpy, and no TensorFlow): the Task Library's pybind modules cannot be
loaded in a process that has TensorFlow's (``generic_type: cannot initialize type "StatusCode"``), and
``tflite_support.task`` imports TensorFlow whenever it is installed beside it. So it imports nothing from
this project.

It does what Android's Task API does with a camera frame: the classifier reads the input size,
normalisation and labels from the model's metadata alone, resizes the RGB uint8 image itself (in C++)
and names the top class through the packed label file. (For a model with uint8 input, such as the int8
export, it feeds the resized bytes as they are and uses no normalisation.)

    python -I task_library_script.py IMAGES.npz MODEL.tflite [MODEL.tflite ...]

IMAGES.npz holds ``image_0``, ``image_1``, ... (H x W x 3 uint8 each, any sizes). Prints one JSON object:
``{model path: {"predicted": [category name per image], "seconds": wall time}}``.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from tflite_support.task import core, processor, vision


def classifier(model_path: str) -> vision.ImageClassifier:
    """An ImageClassifier configured from the file alone, answering with its top class."""
    options = vision.ImageClassifierOptions(
        base_options=core.BaseOptions(file_name=model_path),
        classification_options=processor.ClassificationOptions(max_results=1))
    return vision.ImageClassifier.create_from_options(options)


def top_class(model: vision.ImageClassifier, rgb: np.ndarray) -> str:
    """The top category's name, as the label file packed in the model spells it."""
    result = model.classify(vision.TensorImage.create_from_array(np.ascontiguousarray(rgb, dtype=np.uint8)))
    return result.classifications[0].categories[0].category_name


def main(argv: list[str]) -> int:
    images_file, models = argv[1], argv[2:]
    with np.load(images_file) as stored:
        images = [stored[f"image_{i}"] for i in range(len(stored.files))]
    answer = {}
    for model_path in models:
        started = time.perf_counter()
        model = classifier(model_path)
        answer[model_path] = {"predicted": [top_class(model, image) for image in images],
                              "seconds": time.perf_counter() - started}
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
