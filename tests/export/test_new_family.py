"""A family added in one file, with a parameter no other family has, goes the whole way: a study starts from
its start point, trains it, exports it to TFLite checked against Keras, and promotes it to a phone build."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import yaml

from export.card import CARD_JSON
from export.front_export import ExportSettings, export_front
from export.promote import PromoteSettings, promote
from objectives.architectures import registry
from objectives.config import TrainingConfig
from objectives.tflite.verify import LiteRTClassifier, decode_images
from search.runner.run import RunSettings, run_study
from spaces.space import DEFAULT_SPACE
from tests.export.conftest import write_shapes
from tests.objectives.architectures.square_family import SQUARE


def _square_space(path: Path) -> Path:
    data = yaml.safe_load(DEFAULT_SPACE.read_text())
    data.update(image_sizes=[16], generators=[1])
    data["families"] = {"square": {"filters": {"low": 4, "high": 8}, "kernel": {"choices": [3, 5]},
                                   "neurons": {"choices": [8]}}}
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_family_added_in_one_file_is_searched_exported_and_promoted(tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow/mlflow.db")
    data, storage = write_shapes(tmp_path / "shapes"), f"sqlite:///{tmp_path}/optuna.db"
    with registry.registered(SQUARE):
        study = run_study(RunSettings(study="square", storage=storage, trials=1, data_dir=data,
                                      space=_square_space(tmp_path / "space.yaml"), cache_root=tmp_path / "cache",
                                      training=TrainingConfig(epochs=10, folds=2, learning_rate=0.01)))
        trial = study.trials[0]
        assert trial.params == {"image_size": 16, "generator": 1, "family": "square", "square.filters": 4,
                                "square.kernel": 3, "square.neurons": 8, "square.head": "average",
                                "learning_rate": 0.01}  # its start point
        settings = ExportSettings(study="square", storage=storage, exports_root=tmp_path / "studies",
                                  cache_root=tmp_path / "cache")
        summaries = export_front(settings)
        build = promote(PromoteSettings(export=settings, trial=summaries[0].trial, builds_root=tmp_path / "builds"))

    card = json.loads((build / CARD_JSON).read_text())
    assert card["configuration"]["architecture"]["options"] == [["kernel", 3]]
    paths = [Path(card["data"]["data_dir"]) / name for name in card["test"]["files"]]
    truth = [Path(name).parts[0] for name in card["test"]["files"]]
    classifier = LiteRTClassifier(build / "model_int8.tflite")
    predicted = classifier.predicted_labels(decode_images(paths, classifier.size))
    assert np.mean([p == t for p, t in zip(predicted, truth)]) == card["test"]["accuracy"]["tflite_int8"]
    assert "square" not in registry.family_names()
