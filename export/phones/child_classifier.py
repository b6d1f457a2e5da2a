"""A phone runtime's classifier in a child process with a Python of its own, fed the original images.

The phone runtimes checked here (MediaPipe Tasks, and the legacy TFLite Task Library) cannot share a
process or an environment with the training stack: the Task Library's pybind modules clash with
TensorFlow's (``generic_type: cannot initialize type "StatusCode"``), and MediaPipe brings opencv and
matplotlib. So each runs a small script with its own environment's Python, which reads the model files
alone (input size, normalisation, labels from the metadata) and resizes every frame itself.

The protocol of those scripts: the model paths as arguments; on stdin, frame after frame, a line
``HEIGHT WIDTH`` then HEIGHT x WIDTH x 3 bytes of RGB pixels (one frame at a time: a test split of
full-size photos would not fit in memory at once); at the end of the input, one JSON object on stdout,
``{model path: [top category name per frame]}``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from objectives.data.preprocessing import decode_rgb
from objectives.errors import ExportError
from objectives.tflite.environments import last_words

TIMEOUT_SECONDS = 600
# A runtime's accuracy this far from LiteRT's on the same file is announced: the phone would not see the
# accuracy the export measured. One test image of the 270 of the digits' test split is 0.4 points.
DISAGREEMENT_ALARM = 0.01


def rgb_frames(paths: list[Path]) -> Iterator[np.ndarray]:
    """The images as a camera frame reaches the app: decoded, upright, RGB uint8, at their own size."""
    for path in paths:
        yield np.asarray(decode_rgb(path), dtype=np.uint8)


def _feed(child: subprocess.Popen, image_paths: list[Path]) -> None:
    """Every frame to the child's stdin; a child that stopped early says why through its exit code."""
    try:
        for rgb in rgb_frames(image_paths):
            child.stdin.write(f"{rgb.shape[0]} {rgb.shape[1]}\n".encode() + rgb.tobytes())
    except BrokenPipeError:
        pass
    except BaseException:  # an image that cannot be read, Ctrl-C: leave no child waiting for input
        child.kill()
        child.wait()
        raise


def classify_in_child(python: Path, script: Path, models: list[Path], image_paths: list[Path],
                      failure: Callable[[str], ExportError], options: tuple[str, ...] = ()) -> dict[Path, list]:
    """The runtime's answer (top class name) for every image, per model; ``failure`` turns a reason into the error."""
    # -I: the script's folder (this package) stays off sys.path and PYTHON* variables are ignored.
    command = [str(python), "-I", str(script), *options, *map(str, models)]
    with tempfile.TemporaryFile(mode="w+") as errors:  # a file, not a pipe: its log lines cannot block it
        child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
        _feed(child, image_paths)
        try:
            output, _ = child.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as error:
            child.kill()
            child.wait()
            raise failure(f"took over {TIMEOUT_SECONDS} s on {len(image_paths)} images") from error
        errors.seek(0)
        log = errors.read()
    if child.returncode != 0:
        sys.stderr.write(log)  # the whole story, above the one-line error
        raise failure(f"({python}) failed on {', '.join(m.name for m in models)}: {last_words(log, child.returncode)}")
    answer = json.loads(output)
    return {model: answer[str(model)] for model in models}


@dataclass(frozen=True)
class RuntimeCheck:
    """A phone runtime's test accuracy per model variant, against LiteRT's on the same files."""

    accuracy: dict[str, float]  # variant ("float32", "int8") -> share of test images named right
    litert_accuracy: dict[str, float]

    @property
    def disagreement(self) -> dict[str, float]:
        """Runtime minus LiteRT accuracy, per variant."""
        return {variant: self.accuracy[variant] - self.litert_accuracy[variant] for variant in self.accuracy}

    @property
    def alarm(self) -> bool:
        return any(abs(gap) > DISAGREEMENT_ALARM for gap in self.disagreement.values())

    def gaps(self) -> str:
        """The variants over the alarm, as ``float32 0.900 vs LiteRT 0.950``."""
        return "; ".join(f"{variant} {self.accuracy[variant]:.3f} vs LiteRT {self.litert_accuracy[variant]:.3f}"
                         for variant, gap in self.disagreement.items() if abs(gap) > DISAGREEMENT_ALARM)


def accuracies(predicted: dict[Path, list[str]], models: dict[str, Path], true_names: list[str]) -> dict[str, float]:
    """Per variant, the share of images whose predicted name is their class folder's."""
    return {variant: float(np.mean([p == t for p, t in zip(predicted[path], true_names)]))
            for variant, path in models.items()}
