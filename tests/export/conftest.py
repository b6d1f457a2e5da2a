"""One small real study, exported once per test module: three classes whose names sort differently from
the order their folders were created in, distinct enough that a tiny CNN learns them perfectly."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import optuna
import pytest
import yaml

from export.card import CARD_JSON
from export.front_export import ExportSettings, export_front
from export.promote import PromoteSettings, promote
from objectives.tflite.metadata import LABELS_FILE, read_metadata, with_metadata, write_labels
from objectives.config import TrainingConfig
from search.runner.run import RunSettings, run_study
from search.study import ExportFiles, ExportSummary
from spaces.space import DEFAULT_SPACE
from tests.conftest import write_image

CREATION_ORDER = ("zebra", "apple", "mango")  # sorted: apple, mango, zebra


def shape_pixels(name: str, rng: np.random.Generator, size: int = 24) -> np.ndarray:
    """A jittered picture of the class: grey stripes, a red disk on white, or an orange-green gradient."""
    y, x = np.mgrid[0:size, 0:size]
    if name == "zebra":
        shift = rng.integers(0, 4)
        grey = np.where(((x + shift) // 3) % 2 == 0, 30, 225)
        pixels = np.stack([grey] * 3, axis=-1)
    elif name == "apple":
        cy, cx = rng.integers(9, 15, size=2)
        inside = (y - cy) ** 2 + (x - cx) ** 2 < rng.integers(25, 50)
        pixels = np.where(inside[..., None], [200, 20, 30], [245, 245, 245])
    else:
        ramp = y / (size - 1)
        pixels = np.stack([250 - 150 * ramp, 160 + 60 * ramp, 20 + 0 * ramp], axis=-1)
    noisy = pixels + rng.normal(0, 8, pixels.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def write_shapes(root: Path, per_class: int = 16, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    for name in CREATION_ORDER:  # created in this order on purpose
        for i in range(per_class):
            write_image(root / name / f"{name}_{i:02d}.png", shape_pixels(name, rng))
    return root


def plain_space(path: Path, image_size: int = 16, **plain) -> Path:
    """A space with a single possible configuration (unless ``plain`` widens it)."""
    data = yaml.safe_load(DEFAULT_SPACE.read_text())
    data.update(image_sizes=[image_size], generators=[1])
    data["families"] = {"plain": {"conv_blocks": {"low": 1, "high": 1}, "filters": {"low": 8, "high": 8},
                                  "dense_layers": {"low": 1, "high": 1}, "neurons": {"low": 16, "high": 16}, **plain}}
    path.write_text(yaml.safe_dump(data))
    return path


@dataclass
class ExportedStudy:
    root: Path
    data: Path
    study: optuna.Study
    settings: ExportSettings
    summaries: list[ExportSummary]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> ExportedStudy:
    """A one-trial study on the shapes, run and exported for real (about half a minute)."""
    root = tmp_path_factory.mktemp("export")
    data = write_shapes(root / "shapes")
    storage = f"sqlite:///{root}/optuna.db"
    study = run_study(RunSettings(study="shapes", storage=storage, trials=1, data_dir=data,
                                  space=plain_space(root / "space.yaml"), cache_root=root / "cache",
                                  training=TrainingConfig(epochs=10, folds=2, learning_rate=0.01)))
    settings = ExportSettings(study="shapes", storage=storage, exports_root=root / "studies", cache_root=root / "cache")
    return ExportedStudy(root, data, study, settings, export_front(settings))


def promoted(exported: ExportedStudy, builds: Path) -> tuple[Path, dict]:
    """The fixture's first front trial promoted for real into ``builds``, and its model card."""
    build = promote(PromoteSettings(export=exported.settings, trial=exported.summaries[0].trial, builds_root=builds))
    return build, json.loads((build / CARD_JSON).read_text())


def wrongly_normalised(exported: ExportedStudy, folder: Path) -> dict[str, Path]:
    """The fixture's two exported files with (pixel - 255) / 255 in their metadata instead of training's
    pixel / 255, written into ``folder``: what a runtime that trusts the metadata must get wrong."""
    files = ExportFiles.of(exported.settings.exports_root, "shapes", exported.summaries[0].trial)
    wrong = {"float32": folder / files.float32.name, "int8": folder / files.int8.name}
    for variant, source in (("float32", files.float32), ("int8", files.int8)):
        wrong[variant].write_bytes(renormalised(source, 255.0, 255.0))
    return wrong


def held_out_split(exported) -> tuple[list[Path], list[str]]:
    names = exported.study.user_attrs["test_files"]
    return [exported.data / name for name in names], [Path(name).parts[0] for name in names]


def renormalised(model: Path, mean: float, std: float, channel_means: list[float] | None = None) -> bytes:
    """The model with its metadata's normalisation replaced (``channel_means``: one mean per channel), everything
    else (labels packed) kept."""
    found = read_metadata(model)
    with tempfile.TemporaryDirectory() as folder:
        labels = write_labels(Path(folder) / LABELS_FILE, found.labels)
        return with_metadata(model.read_bytes(), found.about, found.width, labels, (channel_means or [mean] * 3,
                                                                                    [std] * 3))
