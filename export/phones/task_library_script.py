"""Classify images with the TFLite Task Library's ImageClassifier; runs inside .venv-task-library only.

This file is run as a script by ``export.phones.task_library`` with the small environment's Python (which holds
tflite-support 0.4.4, pillow and numpy, and no TensorFlow): the Task Library's pybind modules cannot be
loaded in a process that has TensorFlow's (``generic_type: cannot initialize type "StatusCode"``), and
``tflite_support.task`` imports TensorFlow whenever it is installed beside it. So it imports nothing from
this project.

It does what Android's Task API does with a camera frame: the classifier reads the input size,
normalisation and labels from the model's metadata alone, resizes the RGB uint8 image itself (in C++)
and names the top class through the packed label file. (For a model with uint8 input, such as the int8
export, it feeds the resized bytes as they are and uses no normalisation.)

    python -I task_library_script.py MODEL.tflite [MODEL.tflite ...] < frames

The frames come on stdin one after the other, each a line ``HEIGHT WIDTH`` then HEIGHT x WIDTH x 3 bytes
of RGB pixels, so a test split of full-size photos never has to be held at once. At the end of the input
it prints one JSON object: ``{model path: [category name per frame]}``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

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


def frames(stream) -> Iterator[np.ndarray]:
    """Every RGB uint8 frame on ``stream``, in order."""
    while header := stream.readline():
        height, width = map(int, header.split())
        yield np.frombuffer(stream.read(height * width * 3), dtype=np.uint8).reshape(height, width, 3)


def main(argv: list[str]) -> int:
    models = {path: classifier(path) for path in argv[1:]}
    answer: dict[str, list[str]] = {path: [] for path in models}
    for rgb in frames(sys.stdin.buffer):
        for path, model in models.items():
            answer[path].append(top_class(model, rgb))
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
