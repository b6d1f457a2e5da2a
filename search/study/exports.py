"""What a trial's export produced and where its files are, kept so promote never redoes the work.

Files live in ``<exports>/<study>/exports/trial-<n>/``; the summary is written there as JSON and also
stored in the study's user attributes (``export.trial-<n>``), so reports read it from the Optuna storage
alone. (A finished trial's own attributes cannot be changed: Optuna refuses updates to finished trials.)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import optuna

DEFAULT_EXPORTS = Path("studies")  # beside the default Optuna storage, gitignored
DEFAULT_BUILDS = Path("builds")
DEFAULT_AUTHOR = "phone-search (multi-objective Optuna study)"  # the TFLite metadata's author
ATTRIBUTE_PREFIX = "export.trial-"


@dataclass(frozen=True)
class ExportFiles:
    """The files of one trial's export."""

    folder: Path

    @classmethod
    def of(cls, exports_root: Path, study: str, trial: int) -> ExportFiles:
        return cls(Path(exports_root) / study / "exports" / f"trial-{trial}")

    @property
    def keras(self) -> Path:
        return self.folder / "model.keras"

    @property
    def float32(self) -> Path:
        return self.folder / "model_float32.tflite"

    @property
    def int8(self) -> Path:
        return self.folder / "model_int8.tflite"

    @property
    def labels(self) -> Path:
        return self.folder / "labels.txt"

    @property
    def summary(self) -> Path:
        return self.folder / "export.json"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class ExportSummary:
    """Everything measured about one exported trial; the model card is written from this."""

    trial: int
    description: str
    config: dict
    cv_accuracy: float
    cv_accuracy_std: float
    params: int
    image_size: int
    normalisation: dict  # {"mean": .., "std": ..} as written into the metadata
    class_names: list[str]
    test_images: int
    keras_accuracy: float
    float32: dict  # verify.Comparison as a dict
    int8: dict
    phone_int8_accuracy: float  # JPEG q90 + app-style bilinear resize, int8 model
    mediapipe: dict  # {"float32": .., "int8": ..}: test accuracy of MediaPipe Tasks' ImageClassifier on the originals
    mediapipe_alarm: bool  # it disagrees with LiteRT by more than export.phones.child_classifier.DISAGREEMENT_ALARM
    task_library: dict  # the same for the legacy TFLite Task Library's ImageClassifier; {} where not installed
    task_library_alarm: bool
    float32_matches_keras: bool
    int8_drop: float  # Keras test accuracy minus int8 test accuracy
    int8_drop_alarm: bool
    sha256: dict  # of the two .tflite files, so a build can be traced back to this summary
    refit_seconds: float
    exported_at: str
    folder: str

    def comparison(self) -> dict[str, str]:
        """Keras vs LiteRT float32 and int8 vs MediaPipe (the phone), sizes and latency: the columns every
        view of an export shows (terminal table, HTML report, dashboard note)."""
        alarms = (("F32-MISMATCH", not self.float32_matches_keras), ("INT8-DROP", self.int8_drop_alarm),
                  ("MEDIAPIPE-DIFF", self.mediapipe_alarm), ("TASKLIB-DIFF", self.task_library_alarm))
        flags = [flag for flag, on in alarms if on]
        return {
            "keras": f"{self.keras_accuracy:.3f}", "float32": f"{self.float32['accuracy']:.3f}",
            "int8": f"{self.int8['accuracy']:.3f}", "phone int8": f"{self.phone_int8_accuracy:.3f}",
            "mediapipe f32": f"{self.mediapipe['float32']:.3f}", "mediapipe int8": f"{self.mediapipe['int8']:.3f}",
            **{f"legacy tasklib {short}": f"{self.task_library[variant]:.3f}" if self.task_library else "-"
               for variant, short in (("float32", "f32"), ("int8", "int8"))},
            "f32 max|diff|": f"{self.float32['max_abs_diff']:.1e}", "int8 agree": f"{self.int8['agreement']:.3f}",
            "f32 KB": f"{self.float32['size_bytes'] / 1024:.1f}", "int8 KB": f"{self.int8['size_bytes'] / 1024:.1f}",
            "f32 ms": f"{self.float32['latency_ms']:.3f}", "int8 ms": f"{self.int8['latency_ms']:.3f}",
            "": " ".join(flags),
        }

    def save(self, study: optuna.Study, files: ExportFiles) -> None:
        files.summary.write_text(json.dumps(asdict(self), indent=2))
        study.set_user_attr(f"{ATTRIBUTE_PREFIX}{self.trial}", asdict(self))

    @classmethod
    def load(cls, study: optuna.Study, trial: int) -> ExportSummary | None:
        return cls.of(study.user_attrs, trial)

    @classmethod
    def of(cls, user_attrs: dict, trial: int) -> ExportSummary | None:
        """From the study's attributes read once (each ``study.user_attrs`` is a storage query and a copy)."""
        stored = user_attrs.get(f"{ATTRIBUTE_PREFIX}{trial}")
        if stored is None or set(stored) != {f.name for f in fields(cls)}:
            return None  # never exported, or by an older version of this code: export again
        return cls(**stored)

    def files_intact(self, files: ExportFiles) -> bool:
        """The files on disk are the ones this summary measured."""
        return all(path.exists() for path in (files.float32, files.int8, files.labels)) and \
            self.sha256 == {"float32": sha256(files.float32), "int8": sha256(files.int8)}
