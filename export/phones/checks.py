"""The exported files through the phone runtimes, on the original test images: MediaPipe Tasks (what Android
apps classify with) and, as a legacy column, the deprecated TFLite Task Library. Export and promote both
run them on the two files they hold, against the LiteRT accuracy measured with training's preprocessing."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from export.phones import mediapipe_tasks, task_library
from objectives.tflite.environments import mediapipe_python
from search.study import ExportFiles, ExportSummary, StudyRecord


@dataclass(frozen=True)
class PhoneChecks:
    mediapipe: mediapipe_tasks.MediaPipeCheck
    task_library: task_library.TaskLibraryCheck  # legacy

    def announcements(self, trial: int) -> list[str]:
        """The capitals lines of the runtimes that disagree with LiteRT."""
        return [line for line in (self.mediapipe.announcement(trial), self.task_library.announcement(trial)) if line]


def environments_ready() -> None:
    """Both runtimes' environments exist, checked before any refit or copy so a missing one costs no time; a
    host without the legacy Task Library (no Python 3.11) is told its column is not run."""
    mediapipe_python()
    if task_library.installed():
        task_library.task_library_python()
    else:
        print(task_library.NOT_INSTALLED, file=sys.stderr)


def run_phone_checks(files: ExportFiles, test_paths: list[Path], true_names: list[str],
                     litert_accuracy: dict[str, float]) -> PhoneChecks:
    """Both variants' files through both runtimes."""
    models = {"float32": files.float32, "int8": files.int8}
    return PhoneChecks(mediapipe_tasks.check_models(models, test_paths, true_names, litert_accuracy),
                       task_library.check_models(models, test_paths, true_names, litert_accuracy))


def check_build(build: Path, summary: ExportSummary, record: StudyRecord) -> PhoneChecks:
    """A build's own two files through both runtimes on the original test images, against the LiteRT accuracy
    the export measured; a disagreement is announced in capitals, as at export."""
    paths, truth = record.held_out()
    checks = run_phone_checks(ExportFiles(build), paths, truth,
                              {"float32": summary.float32["accuracy"], "int8": summary.int8["accuracy"]})
    for alarm in checks.announcements(summary.trial):
        print(alarm, file=sys.stderr)
    return checks
