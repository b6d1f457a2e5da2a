"""One tiny real study shared by the report and dashboard tests (it takes a few seconds to make)."""

from __future__ import annotations

import pytest

from objectives.config import TrainingConfig
from tests.conftest import digits_subset, tiny_space


@pytest.fixture(scope="session")
def tiny_study(digits_root, tmp_path_factory):
    """A finished 5-trial study in a SQLite file, with dashboard notes and artifacts."""
    from search.runner.run import RunSettings, run_study

    folder = tmp_path_factory.mktemp("tiny_study")
    data = digits_subset(digits_root, folder / "digits", per_class=12, classes=3)
    storage = f"sqlite:///{folder}/optuna.db"
    study = run_study(RunSettings(study="tiny", storage=storage, trials=5, data_dir=data, space=tiny_space(folder),
                                  training=TrainingConfig(epochs=1, folds=2), cache_root=folder / "cache",
                                  start_points=False))  # sampled from the start: both families, for the tables
    return study, storage, folder
