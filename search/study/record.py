"""What a study remembers about how it was made, stored in the study itself (its user attributes).

The Optuna storage is the source of truth: another worker, the export step or a later session reads
the data folder, class order, held-out test files, space, training settings and the trial budget from
here (a worker joining the study needs nothing else).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import optuna

from objectives.config import TrainingConfig
from objectives.errors import StudyError
from objectives.quoting import quoted

CONFLICT_KEYS = ("fingerprint", "class_names", "test_fraction", "space", "training")


@dataclass(frozen=True)
class StudyRecord:
    data_dir: str
    fingerprint: str
    class_names: list[str]
    test_files: list[str]
    test_fraction: float
    space_file: str
    space: dict[str, Any]
    training: dict[str, Any]
    sampler: str
    trials: int = 0  # the study's total trial budget, shared by all its workers; the latest ``run`` sets it
    skip_unreadable: bool = False  # unreadable images were left out (listed in skipped_files) instead of blocking
    skipped_files: list[str] = field(default_factory=list)
    early_stopping: bool = True  # workers stop hopeless trials early exactly when the study's creator did

    @property
    def training_config(self) -> TrainingConfig:
        return TrainingConfig(**self.training)

    def held_out(self) -> tuple[list[Path], list[str]]:
        """The held-out images' paths and their classes, read from the class folder rather than a training
        index, so every check scores the original files against the names a phone reports."""
        return ([Path(self.data_dir) / name for name in self.test_files],
                [Path(name).parts[0] for name in self.test_files])

    def save(self, study: optuna.Study) -> None:
        for key, value in asdict(self).items():
            study.set_user_attr(key, value)

    @classmethod
    def load(cls, study: optuna.Study) -> StudyRecord:
        attrs = study.user_attrs
        required = [f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING]
        missing = [name for name in required if name not in attrs]
        if missing:
            raise StudyError(f"study {study.study_name!r} was not made by this service "
                             f"(no {', '.join(missing)} recorded)")
        return cls(**{f.name: attrs[f.name] for f in fields(cls) if f.name in attrs})

    @staticmethod
    def save_budget(study: optuna.Study, trials: int) -> None:
        """Raise or lower the budget every worker reads when it starts."""
        study.set_user_attr("trials", trials)

    def conflicts(self, other: StudyRecord) -> list[str]:
        """Settings that differ from ``other`` and would make the two halves of a study incomparable."""
        return [key for key in CONFLICT_KEYS if getattr(self, key) != getattr(other, key)]

    def differences(self, study: StudyRecord) -> list[str]:
        """Each conflicting setting with the study's value and this command's (``self``), so a refused
        resume says what to change: ``training.folds: the study has 2, this command 3``."""
        found = []
        for key in self.conflicts(study):
            mine, theirs = getattr(self, key), getattr(study, key)
            if isinstance(mine, dict) and isinstance(theirs, dict) and key == "training":
                found += [f"{key}.{name}: the study has {quoted(theirs.get(name))}, this command "
                          f"{quoted(mine.get(name))}"
                          for name in sorted(set(mine) | set(theirs)) if mine.get(name) != theirs.get(name)]
            else:
                found.append(f"{key}: the study has {quoted(_brief(theirs))}, this command {quoted(_brief(mine))}")
        return found


def _brief(value: Any) -> Any:
    """A content hash is recognised by its start; a whole space by its digest."""
    if isinstance(value, str) and len(value) == 64:
        return value[:12]
    if isinstance(value, dict):
        return f"a space with sha256 {hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:12]}"
    return value
