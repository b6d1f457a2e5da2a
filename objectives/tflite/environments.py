"""The small environments beside the training one, each run as a child process with a Python of its own.

MediaPipe (``.venv-mediapipe``, made by ``make install`` from ``requirements-mediapipe.lock``) writes and reads
the TFLite metadata and is the phone check; it brings opencv and matplotlib, so it never joins the training
environment. The legacy TFLite Task Library has an environment of its own too (``export.phones.task_library``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from objectives.errors import ExportError, MediaPipeError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MEDIAPIPE_ENVIRONMENT = PROJECT_ROOT / ".venv-mediapipe"
MEDIAPIPE_PYTHON_VARIABLE = "MEDIAPIPE_PYTHON"  # another interpreter holding mediapipe (and no TensorFlow)


def child_python(variable: str, environment: Path, missing: Callable[[str], ExportError]) -> Path:
    """The interpreter ``variable`` names, else the environment's own; ``missing(where)`` is the error (with
    the command that makes it) when there is none, raised before any model is written or image read."""
    given = os.environ.get(variable)
    python = Path(given) if given else environment / "bin" / "python"
    if not (python.is_file() and os.access(python, os.X_OK)):
        raise missing(f"{variable}={given}" if given else f"the environment {environment}")
    return python


def last_words(log: str, returncode: int | None) -> str:
    """Why a child stopped, in one line: its last line on stderr (a traceback's ends with the error), or its exit
    code when it said nothing."""
    lines = [line for line in log.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {returncode}"


def mediapipe_python() -> Path:
    """The interpreter of MediaPipe's environment, or a one-line error with the command that makes it."""
    return child_python(MEDIAPIPE_PYTHON_VARIABLE, MEDIAPIPE_ENVIRONMENT, lambda where: MediaPipeError(
        f"MediaPipe is needed to write the TFLite metadata and to check the exported models the way Android apps "
        f"classify, but {where} has no Python; create it with: make install"))
