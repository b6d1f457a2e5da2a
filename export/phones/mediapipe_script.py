"""Classify images with MediaPipe Tasks' ImageClassifier; runs inside .venv-mediapipe only.

Run as a script by ``export.phones.mediapipe_tasks`` with the small environment's Python (mediapipe 1.2.3, pillow
and numpy, no TensorFlow: mediapipe brings opencv and matplotlib, kept out of the training environment),
so it imports nothing from this project.

It does what an Android app on MediaPipe Tasks does with a camera frame: the classifier reads the input
size, normalisation and labels from the model's metadata alone, squares the whole RGB uint8 frame to the
input size itself (its CPU path: OpenCV warpPerspective, bilinear, no antialiasing; for a uint8 input, such
as the int8 export, it feeds the resized bytes with no normalisation) and names the top class through the
packed label file.

    python -I mediapipe_script.py [--scores] MODEL.tflite [MODEL.tflite ...] < frames

Frames come on stdin, each a line ``HEIGHT WIDTH`` then HEIGHT x WIDTH x 3 bytes of RGB pixels; at the end
of the input it prints one JSON object: ``{model path: [category name per frame]}``, or with ``--scores``
``{model path: [[score of every category, in output order] per frame]}`` (what the model was given can be
read back through an identity model: how the resize is pinned to MediaPipe's own).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision


def classifier(model_path: str, every_category: bool) -> vision.ImageClassifier:
    """An ImageClassifier configured from the file alone, answering with its top class (or all of them)."""
    options = vision.ImageClassifierOptions(base_options=BaseOptions(model_asset_path=model_path),
                                            max_results=-1 if every_category else 1)
    return vision.ImageClassifier.create_from_options(options)


def answer(model: vision.ImageClassifier, rgb: np.ndarray, every_category: bool) -> str | list[float]:
    """The top category's name, as the label file packed in the model spells it; or every score by index."""
    image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb, dtype=np.uint8))
    categories = model.classify(image).classifications[0].categories
    if not every_category:
        return categories[0].category_name
    return [score for _, score in sorted((c.index, c.score) for c in categories)]


def frames(stream) -> Iterator[np.ndarray]:
    """Every RGB uint8 frame on ``stream``, in order."""
    while header := stream.readline():
        height, width = map(int, header.split())
        yield np.frombuffer(stream.read(height * width * 3), dtype=np.uint8).reshape(height, width, 3)


def main(argv: list[str]) -> int:
    every_category = "--scores" in argv[1:]
    models = {path: classifier(path, every_category) for path in argv[1:] if path != "--scores"}
    answers: dict[str, list] = {path: [] for path in models}
    for rgb in frames(sys.stdin.buffer):
        for path, model in models.items():
            answers[path].append(answer(model, rgb, every_category))
    json.dump(answers, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
