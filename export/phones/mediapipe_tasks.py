"""The phone check: the exported files as MediaPipe Tasks' ImageClassifier reads them.

Android apps classify with MediaPipe Tasks now (the TFLite Task Library, ``export.phones.task_library``, is
deprecated upstream; MediaPipe Tasks is its named replacement since TensorFlow Lite became LiteRT). So every
exported model is classified by ``mediapipe.tasks.python.vision.ImageClassifier`` (mediapipe 1.2.3) from the
file and its metadata alone, on the held-out test images at their original resolution, given as RGB uint8
frames: MediaPipe squares each frame to the input size itself, the way training's
``objectives.data.preprocessing.resize`` was made to match (identical pixels, tested), and applies the
metadata's normalisation to a float32 input only.

MediaPipe brings opencv and matplotlib, so it lives in its own small environment, ``.venv-mediapipe``
(made by ``make install`` from ``requirements-mediapipe.lock``), and runs in a child process on the script
``mediapipe_script.py`` (``export.phones.child_classifier``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from export.phones.child_classifier import DISAGREEMENT_ALARM, RuntimeCheck, accuracies, classify_in_child
from objectives.data.preprocessing import INPUT_NORMALISATION, RESIZE_METHOD
from objectives.errors import MediaPipeError
from objectives.tflite.environments import mediapipe_python
from objectives.tflite.verify import LiteRTClassifier

SCRIPT = Path(__file__).with_name("mediapipe_script.py")


def _failure(reason: str) -> MediaPipeError:
    return MediaPipeError(f"MediaPipe's ImageClassifier {reason}; if its environment is broken, remove "
                          ".venv-mediapipe and run make install")


def classify(models: list[Path], image_paths: list[Path]) -> dict[Path, list[str]]:
    """MediaPipe's top class name for every image, per model, from the files' metadata alone."""
    return classify_in_child(mediapipe_python(), SCRIPT, models, image_paths, _failure)


def scores(model: Path, image_paths: list[Path]) -> np.ndarray:
    """Every category's score per image (images x categories, in output order), as MediaPipe returns them."""
    found = classify_in_child(mediapipe_python(), SCRIPT, [model], image_paths, _failure, ("--scores",))
    return np.asarray(found[model])


def likely_cause(model: Path) -> str:
    """Why MediaPipe would see other pixels than LiteRT did, found by elimination from the file."""
    litert = LiteRTClassifier(model)
    found, float_input = litert.metadata, not np.issubdtype(litert.input["dtype"], np.integer)
    trained = [INPUT_NORMALISATION.mean] * 3, [INPUT_NORMALISATION.std] * 3
    if float_input and (found.mean, found.std) != trained:
        return (f"{model.name}'s metadata normalises with mean {found.mean} / std {found.std}, training with "
                f"{INPUT_NORMALISATION.mean:g} / {INPUT_NORMALISATION.std:g}")
    return (f"{model.name}'s metadata is training's, so the pixels differ: MediaPipe's own resize of the originals "
            f"is no longer the one training used ({RESIZE_METHOD}, objectives.data.preprocessing.resize)")


@dataclass(frozen=True)
class MediaPipeCheck(RuntimeCheck):
    """MediaPipe's test accuracy per variant, against LiteRT's on the same files, and the likely causes."""

    causes: dict[str, str]  # variant -> likely_cause of its file

    def announcement(self, trial: int) -> str | None:
        """The capitals line for stderr, as for an int8 drop; None when the two runtimes agree."""
        if not self.alarm:
            return None
        causes = "; ".join(dict.fromkeys(self.causes[v] for v, gap in self.disagreement.items()
                                         if abs(gap) > DISAGREEMENT_ALARM))
        return (f"!!! TRIAL {trial}: MEDIAPIPE'S IMAGECLASSIFIER (WHAT ANDROID APPS USE) DISAGREES WITH LITERT BY MORE "
                f"THAN {DISAGREEMENT_ALARM:.0%} ({self.gaps()}): the phone would see these. Cause: {causes}")


def check_models(models: dict[str, Path], image_paths: list[Path], true_names: list[str],
                 litert_accuracy: dict[str, float]) -> MediaPipeCheck:
    """Classify the original test images with every model (variant -> file), compare with LiteRT's accuracy."""
    predicted = classify(list(models.values()), image_paths)
    return MediaPipeCheck(accuracies(predicted, models, true_names),
                          {variant: float(litert_accuracy[variant]) for variant in models},
                          {variant: likely_cause(path) for variant, path in models.items()})
