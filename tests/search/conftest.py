"""One tiny real study shared by the report and dashboard tests (it takes a few seconds to make)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from objectives.config import TrainingConfig
from spaces.space import DEFAULT_SPACE
from tests.conftest import digits_subset


def tiny_space(folder: Path, **changes) -> Path:
    """Two small families at two small sizes: every trial trains in about a second."""
    data = yaml.safe_load(DEFAULT_SPACE.read_text())
    data.update(image_sizes=[16, 24])
    data["families"] = {"plain": {"conv_blocks": {"low": 1, "high": 1}, "filters": {"low": 2, "high": 8},
                                  "dense_layers": {"low": 1, "high": 1}, "neurons": {"low": 4, "high": 16}},
                        "mobilenet": data["families"]["mobilenet"]}
    data["families"]["mobilenet"]["blocks"] = {"low": 1, "high": 2}
    data.update(changes)
    path = folder / "space.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="session")
def tiny_study(digits_root, tmp_path_factory):
    """A finished 5-trial study in a SQLite file, with dashboard notes and artifacts."""
    from search.run import RunSettings, run_study

    folder = tmp_path_factory.mktemp("tiny_study")
    data = digits_subset(digits_root, folder / "digits", per_class=12, classes=3)
    storage = f"sqlite:///{folder}/optuna.db"
    study = run_study(RunSettings(study="tiny", storage=storage, trials=5, data_dir=data, space=tiny_space(folder),
                                  training=TrainingConfig(epochs=1, folds=2), cache_root=folder / "cache",
                                  start_points=False))  # sampled from the start: both families, for the tables
    return study, storage, folder
