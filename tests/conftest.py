"""Small real image folders written to disk, so tests run the same loaders users do."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from spaces.space import DEFAULT_SPACE

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
# One trial process per run unless a test asks for more (run --jobs): every command-line run a test starts
# would otherwise start a second process, and TensorFlow, beside it.
os.environ.setdefault("SEARCH_JOBS", "1")


def write_image(path: Path, pixels: np.ndarray, mode: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels, mode=mode).save(path)
    return path


@pytest.fixture(scope="session", autouse=True)
def isolated_mlflow_store(tmp_path_factory):
    """Every test logs to a throw-away MLflow store, never to the repository's mlflow/ folder."""
    store = tmp_path_factory.mktemp("mlflow")
    previous = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{store}/mlflow.db"
    yield store
    if previous is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = previous


@pytest.fixture(scope="session")
def digits_root(tmp_path_factory) -> Path:
    """The bundled digits written once for the session (the same code ``make study`` uses)."""
    from objectives.data.digits import digits_folder

    return digits_folder(tmp_path_factory.mktemp("cache"))


def digits_subset(digits_root: Path, target: Path, per_class: int, classes: int = 10) -> Path:
    """The first ``per_class`` images of the first ``classes`` digits: real images, small enough for tests."""
    for class_dir in sorted(p for p in digits_root.iterdir() if p.is_dir())[:classes]:
        for image in sorted(class_dir.glob("*.png"))[:per_class]:
            (target / class_dir.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(image, target / class_dir.name / image.name)
    return target


@pytest.fixture
def small_digits(digits_root, tmp_path) -> Path:
    return digits_subset(digits_root, tmp_path / "digits", per_class=12, classes=3)


TINY_PLAIN = {"conv_blocks": {"low": 1, "high": 1}, "filters": {"low": 2, "high": 8},
              "dense_layers": {"low": 1, "high": 1}, "neurons": {"low": 4, "high": 16}}


def tiny_space(folder: Path, **changes) -> Path:
    """Two small families at two small sizes: every trial trains in about a second. ``changes`` replace
    top-level keys (``families={"plain": TINY_PLAIN}`` for one family)."""
    data = yaml.safe_load(DEFAULT_SPACE.read_text())
    data.update(image_sizes=[16, 24])
    data["families"] = {"plain": TINY_PLAIN, "mobilenet": data["families"]["mobilenet"]}
    data["families"]["mobilenet"]["blocks"] = {"low": 1, "high": 2}
    data.update(changes)
    path = folder / "space.yaml"
    path.write_text(yaml.safe_dump(data))
    return path
