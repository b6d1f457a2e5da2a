"""TFLite metadata: what an app needs to feed the model and name its outputs, written into the .tflite.

Mean and std come from ``INPUT_NORMALISATION`` and the labels from the class order training used, so
nothing the phone relies on is typed a second time. The input size goes into the image properties'
``default_size`` as well as the tensor shape. ``read_metadata`` is what verification uses: it knows
nothing but the file.

The metadata is written and read by MediaPipe's own metadata library (``metadata_script.py``) in MediaPipe's
environment: tflite-support, the former writer, has no wheel past Python 3.11, and MediaPipe, which has, brings
opencv and matplotlib that stay out of the training environment. One child serves a whole process, started
at the first request: importing MediaPipe takes about a second, and an export writes and reads dozens of files.
"""

from __future__ import annotations

import atexit
import json
import select
import subprocess
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from objectives.data.preprocessing import INPUT_NORMALISATION
from objectives.errors import ExportError
from objectives.tflite.environments import last_words, mediapipe_python

LABELS_FILE = "labels.txt"
SCRIPT = Path(__file__).with_name("metadata_script.py")
TIMEOUT_SECONDS = 120  # one file's metadata takes milliseconds, MediaPipe's import about a second


@dataclass(frozen=True)
class ModelDescription:
    """The general metadata an app or model browser shows."""

    name: str
    version: str
    description: str
    author: str


@dataclass(frozen=True)
class ReadMetadata:
    """What a .tflite file says about itself, read back with MediaPipe's ``MetadataDisplayer``."""

    about: ModelDescription
    mean: list[float]
    std: list[float]
    width: int
    height: int
    labels: list[str]


class _MetadataChild:
    """MediaPipe's metadata library in one child process, asked one JSON line at a time."""

    def __init__(self):
        self.lock, self.child, self.errors, self.python = threading.Lock(), None, None, None

    def ask(self, request: dict, model: str) -> dict:
        """The child's answer; a refused request or a dead or silent child is an ``ExportError`` naming ``model``."""
        with self.lock:
            if self.child is None or self.child.poll() is not None:
                self._start()
            try:
                self.child.stdin.write(json.dumps(request) + "\n")
                self.child.stdin.flush()
                ready, _, _ = select.select([self.child.stdout], [], [], TIMEOUT_SECONDS)
                line = self.child.stdout.readline() if ready else None
            except BrokenPipeError:
                line = ""
            except BaseException:  # Ctrl-C mid-request: no answer may be left for the next request to read
                self.close()
                raise
            if not line:
                why = self._last_words() if line == "" else f"no answer in {TIMEOUT_SECONDS} s"
                self.close()
                raise ExportError(f"{model}: MediaPipe's metadata library ({self.python}) stopped: {why}; if its "
                                  "environment is broken, remove .venv-mediapipe and run make install")
        answer = json.loads(line)
        if "error" in answer:
            raise ExportError(f"{model}: MediaPipe's metadata library refused to {request['op']} its metadata: "
                              f"{answer['error']}")
        return answer

    def _start(self) -> None:
        # -I: the script's folder (this package) stays off sys.path and PYTHON* variables are ignored.
        self.python = mediapipe_python()
        self.errors = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: its log lines cannot block it
        self.child = subprocess.Popen([str(self.python), "-I", str(SCRIPT)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=self.errors, text=True, encoding="utf-8")

    def _last_words(self) -> str:
        """The child's last line on stderr, or its exit code."""
        self.child.wait()
        self.errors.seek(0)
        return last_words(self.errors.read(), self.child.returncode)

    def close(self) -> None:
        """End of input, and the child returns (killed if it does not within seconds); called at exit too."""
        if self.child is None:
            return
        if self.child.poll() is None:
            try:
                self.child.stdin.close()
                self.child.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.child.kill()
                self.child.wait()
        self.errors.close()
        self.child = None


_CHILD = _MetadataChild()
atexit.register(_CHILD.close)


def write_labels(path: Path, class_names: list[str]) -> Path:
    """One class name per line in output order; never written by hand (the recipe's failure mode)."""
    bad = [name for name in class_names if "\n" in name or not name.strip()]
    if bad:
        raise ExportError(f"labels.txt: one class name per line must hold, but got {bad!r} (empty, or with a line "
                          "break); rename those class folders")
    path.write_text("".join(f"{name}\n" for name in class_names), encoding="utf-8")
    return path


def with_metadata(model: bytes, about: ModelDescription, image_size: int, labels_path: Path,
                  normalisation: tuple[list[float], list[float]] | None = None) -> bytes:
    """``model`` with metadata and the label file (which must be named ``labels.txt``) packed in;
    ``normalisation`` (mean, std per channel) replaces training's only to make a wrong file on purpose."""
    if labels_path.name != LABELS_FILE:
        raise ExportError(f"the label file packed into the metadata must be named {LABELS_FILE} (the name apps and "
                          f"the build's README-PHONE use), but got {labels_path.name}; write it with write_labels")
    mean, std = normalisation or ([float(INPUT_NORMALISATION.mean)] * 3, [float(INPUT_NORMALISATION.std)] * 3)
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "model.tflite", Path(folder) / "with_metadata.tflite"
        source.write_bytes(model)
        _CHILD.ask({"op": "write", "model": str(source), "out": str(out), "labels": str(labels_path.resolve()),
                    "size": image_size, "mean": mean, "std": std, "about": asdict(about)}, f"the model {about.name!r}")
        return out.read_bytes()


def read_metadata(model_path: Path) -> ReadMetadata:
    """Everything an app reads from the file: normalisation, input size, labels (from the packed file)."""
    found = _CHILD.ask({"op": "read", "model": str(Path(model_path).resolve())}, str(model_path))
    return ReadMetadata(ModelDescription(**found["about"]), [float(v) for v in found["mean"]],
                        [float(v) for v in found["std"]], int(found["width"]), int(found["height"]), found["labels"])
