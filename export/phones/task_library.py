"""The legacy phone check: the exported files as the deprecated TFLite Task Library's ImageClassifier reads them.

Kept as a labelled legacy column beside MediaPipe Tasks (``export.mediapipe``, the phone check): apps
built on the old Task API still exist. tflite-support has had no release since 0.4.4 (July 2023) and no
wheel past Python 3.11. Every
exported model is also classified by ``tflite_support.task.vision.ImageClassifier`` (tflite-support 0.4.4)
from its metadata alone, on the held-out test images given as RGB uint8 arrays at their own size (its
``create_from_file`` refuses greyscale files; a camera frame is RGB anyway).

The Task Library cannot be loaded in a process that has TensorFlow (its pybind modules clash:
``generic_type: cannot initialize type "StatusCode"``), so it runs in a child process with the Python of
its own small environment, ``.venv-task-library`` (made by ``make install`` or ``make task-library``), on
the script ``task_library_script.py`` (``export.phones.child_classifier``). A test split of a few hundred images
takes well under a second.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from export.phones.child_classifier import DISAGREEMENT_ALARM, RuntimeCheck, accuracies, classify_in_child
from objectives.errors import TaskLibraryError
from objectives.tflite.environments import PROJECT_ROOT, child_python

ENVIRONMENT = PROJECT_ROOT / ".venv-task-library"
PYTHON_VARIABLE = "TASK_LIBRARY_PYTHON"  # another interpreter holding tflite-support (and no TensorFlow)
SCRIPT = Path(__file__).with_name("task_library_script.py")


def installed() -> bool:
    """Whether this host has the Task Library: tflite-support installs on Python 3.11 only, so ``make install``
    leaves its environment out where there is none, and the legacy column is then not run."""
    return bool(os.environ.get(PYTHON_VARIABLE)) or (ENVIRONMENT / "bin" / "python").exists()


NOT_INSTALLED = ("note: the legacy TFLite Task Library column is not run: .venv-task-library does not exist "
                 "(tflite-support installs on Python 3.11 only; make task-library makes it where python3.11 exists)")


def task_library_python() -> Path:
    """The interpreter of the Task Library's environment, or a one-line error with the command that makes it."""
    return child_python(PYTHON_VARIABLE, ENVIRONMENT, lambda where: TaskLibraryError(
        f"the TFLite Task Library is needed to check the exported models the way Android's Task API reads them, but "
        f"{where} has no Python; create it with: make task-library"))


def _failure(reason: str) -> TaskLibraryError:
    return TaskLibraryError(f"the Task Library {reason}; if its environment is broken, remove .venv-task-library "
                            "and run make task-library")


def classify(models: list[Path], image_paths: list[Path]) -> dict[Path, list[str]]:
    """The Task Library's top class name for every image, per model, from the files' metadata alone."""
    return classify_in_child(task_library_python(), SCRIPT, models, image_paths, _failure)


@dataclass(frozen=True)
class TaskLibraryCheck(RuntimeCheck):
    """The legacy Task Library's test accuracy per variant, against LiteRT's on the same files."""

    def announcement(self, trial: int) -> str | None:
        """The capitals line for stderr, as for an int8 drop; None when the two runtimes agree."""
        if not self.alarm:
            return None
        return (f"!!! TRIAL {trial}: THE LEGACY TFLITE TASK LIBRARY DISAGREES WITH LITERT BY MORE THAN "
                f"{DISAGREEMENT_ALARM:.0%} ({self.gaps()}): an app still on the deprecated Task API would see these. "
                "Its own resize (not MediaPipe's, which training uses) of the full-size images is the usual cause")


def check_models(models: dict[str, Path], image_paths: list[Path], true_names: list[str],
                 litert_accuracy: dict[str, float]) -> TaskLibraryCheck:
    """Classify the test images with every model (variant -> file) and compare with LiteRT's accuracy; no
    accuracy at all where the Task Library is not installed."""
    if not installed():
        return TaskLibraryCheck({}, {})
    predicted = classify(list(models.values()), image_paths)
    return TaskLibraryCheck(accuracies(predicted, models, true_names),
                            {variant: float(litert_accuracy[variant]) for variant in models})
