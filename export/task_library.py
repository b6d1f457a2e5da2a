"""The exported files as Android's Task API reads them: the TFLite Task Library's ImageClassifier, in C++.

LiteRT verification (``export.verify``) runs the files with this project's own preprocessing. On a phone,
the Task API and the app templates built on it read the normalisation and labels from the metadata and
resize the camera frame themselves -- where the original recipe's models lost their accuracy. So every
exported model is also classified by ``tflite_support.task.vision.ImageClassifier`` (tflite-support 0.4.4)
from its metadata alone, on the held-out test images given as RGB uint8 arrays at their own size (its
``create_from_file`` refuses greyscale files; a camera frame is RGB anyway).

The Task Library cannot be loaded in a process that has TensorFlow (its pybind modules clash:
``generic_type: cannot initialize type "StatusCode"``), so it runs in a child process with the Python of
its own small environment, ``.venv-task-library`` (made by ``make install`` or ``make task-library``), on
the script ``task_library_script.py``. A test split of a few hundred images takes well under a second.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from objectives.errors import TaskLibraryError
from objectives.preprocessing import decode_rgb

ENVIRONMENT = Path(__file__).resolve().parents[1] / ".venv-task-library"
PYTHON_VARIABLE = "TASK_LIBRARY_PYTHON"  # another interpreter holding tflite-support (and no TensorFlow)
SCRIPT = Path(__file__).with_name("task_library_script.py")
# A Task Library accuracy this far from LiteRT's on the same file is announced: the phone would not see
# the accuracy the export measured. One test image of the 270 of the digits' test split is 0.4 points.
DISAGREEMENT_ALARM = 0.01
TIMEOUT_SECONDS = 600


def task_library_python() -> Path:
    """The interpreter of the Task Library's environment, or a one-line error with the command that makes it."""
    given = os.environ.get(PYTHON_VARIABLE)
    python = Path(given) if given else ENVIRONMENT / "bin" / "python"
    if not (python.is_file() and os.access(python, os.X_OK)):
        where = f"{PYTHON_VARIABLE}={given}" if given else f"the environment {ENVIRONMENT}"
        raise TaskLibraryError(f"the TFLite Task Library is needed to check the exported models the way Android's "
                               f"Task API reads them, but {where} has no Python; create it with: make task-library")
    return python


def rgb_frames(paths: list[Path]) -> Iterator[np.ndarray]:
    """The images as a camera frame would reach the app: decoded, upright, RGB uint8, at their own size
    (one at a time: a test split of full-size photos would not fit in memory at once)."""
    for path in paths:
        yield np.asarray(decode_rgb(path), dtype=np.uint8)


def classify(models: list[Path], image_paths: list[Path]) -> dict[Path, list[str]]:
    """The Task Library's top class name for every image, per model, from the files' metadata alone."""
    python = task_library_python()
    # -I: the script's folder (this package) stays off sys.path and PYTHON* variables are ignored.
    command = [str(python), "-I", str(SCRIPT), *map(str, models)]
    with tempfile.TemporaryFile(mode="w+") as errors:  # a file, not a pipe: its log lines cannot block it
        child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
        try:
            for rgb in rgb_frames(image_paths):
                child.stdin.write(f"{rgb.shape[0]} {rgb.shape[1]}\n".encode() + rgb.tobytes())
        except BrokenPipeError:
            pass  # the child stopped early; its exit code and stderr say why
        except BaseException:  # an image that cannot be read, Ctrl-C: leave no child waiting for input
            child.kill()
            child.wait()
            raise
        try:
            output, _ = child.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as error:
            child.kill()
            raise TaskLibraryError(f"the Task Library took over {TIMEOUT_SECONDS} s on {len(image_paths)} images") from error
        errors.seek(0)
        log = errors.read()
    if child.returncode != 0:
        lines = [line for line in log.splitlines() if line.strip()]
        sys.stderr.write(log)  # the whole story, above the one-line error
        raise TaskLibraryError(f"the Task Library ({python}) failed on {', '.join(m.name for m in models)}: "
                               f"{lines[-1] if lines else f'exit code {child.returncode}'}; "
                               "if its environment is broken, remove .venv-task-library and run make task-library")
    answer = json.loads(output)
    return {model: answer[str(model)] for model in models}


@dataclass(frozen=True)
class TaskLibraryCheck:
    """The Task Library's test accuracy per model variant, against LiteRT's on the same files."""

    accuracy: dict[str, float]  # variant ("float32", "int8") -> share of test images named right
    litert_accuracy: dict[str, float]

    @property
    def disagreement(self) -> dict[str, float]:
        """Task Library minus LiteRT accuracy, per variant."""
        return {variant: self.accuracy[variant] - self.litert_accuracy[variant] for variant in self.accuracy}

    @property
    def alarm(self) -> bool:
        return any(abs(gap) > DISAGREEMENT_ALARM for gap in self.disagreement.values())

    def announcement(self, trial: int) -> str | None:
        """The capitals line for stderr, as for an int8 drop; None when the two runtimes agree."""
        if not self.alarm:
            return None
        parts = [f"{variant} {self.accuracy[variant]:.3f} vs LiteRT {self.litert_accuracy[variant]:.3f}"
                 for variant, gap in self.disagreement.items() if abs(gap) > DISAGREEMENT_ALARM]
        return (f"!!! TRIAL {trial}: THE TFLITE TASK LIBRARY (ANDROID'S IMAGECLASSIFIER) DISAGREES WITH LITERT BY MORE "
                f"THAN {DISAGREEMENT_ALARM:.0%} ({'; '.join(parts)}): an app on Android's Task API would see these. "
                "Check the metadata's normalisation and labels; if they are right, the gap is the Task Library's own "
                "resize of the full-size images (a model size far from the images' own makes it larger)")


def check_models(models: dict[str, Path], image_paths: list[Path], true_names: list[str],
                 litert_accuracy: dict[str, float]) -> TaskLibraryCheck:
    """Classify the test images with every model (variant -> file) and compare with LiteRT's accuracy."""
    predicted = classify(list(models.values()), image_paths)
    accuracy = {variant: float(np.mean([p == t for p, t in zip(predicted[path], true_names)]))
                for variant, path in models.items()}
    return TaskLibraryCheck(accuracy, {variant: float(litert_accuracy[variant]) for variant in models})
