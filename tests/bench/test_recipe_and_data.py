"""The recipe's configurations, the compute limit and the Fashion-MNIST reader, on small real inputs."""

import gzip
import struct

import numpy as np
import optuna
import pytest

from bench.compute_limit import ComputeLimit
from bench.fashion_mnist import CLASS_NAMES, FashionMissing, fashion_folder, read_idx
from bench.recipe import (
    GRID,
    THINNED_GRID,
    best_size_and_generator,
    stage_one,
    stage_two,
)
from objectives.data.dataset import scan_image_folder


def test_stage_one_is_model_1_at_every_size_and_generator():
    first = stage_one([32, 40], [1, 2, 3, 4])
    assert len(first) == 8 and {(p["image_size"], p["generator"]) for p in first} == {(s, g) for s in (32, 40)
                                                                                      for g in (1, 2, 3, 4)}
    assert all(p["plain.filters"] == 30 and p["plain.neurons"] == 50 and p["plain.conv_blocks"] == 1 for p in first)


def test_stage_two_is_the_papers_19_by_19_grid_on_the_winner():
    second = stage_two(40, 3)
    assert len(second) == 361 and GRID == tuple(range(1, 20))
    assert {(p["plain.filters"], p["plain.neurons"]) for p in second} == {(f, n) for f in GRID for n in GRID}
    assert all(p["image_size"] == 40 and p["generator"] == 3 for p in second)
    assert [p["plain.neurons"] for p in second[:3]] == [1, 2, 3]  # neurons vary fastest, as in the paper's loops


def test_the_benchmark_thins_the_grid_to_9_by_9_with_both_ends_kept():
    assert THINNED_GRID == (1, 2, 3, 4, 6, 8, 11, 15, 19) and set(THINNED_GRID) <= set(GRID)
    second = stage_two(14, 2, THINNED_GRID)
    assert len(second) == 81
    assert {(p["plain.filters"], p["plain.neurons"]) for p in second} == {(f, n) for f in THINNED_GRID
                                                                          for n in THINNED_GRID}
    assert all(p["plain.padding"] == "valid" and p["plain.head"] == "flatten" and p["plain.dense_layers"] == 1
               for p in second)
    import argparse

    from bench.__main__ import _add_shared
    parser = argparse.ArgumentParser()
    _add_shared(parser)
    defaults = parser.parse_args([])
    assert tuple(defaults.grid) == THINNED_GRID and (defaults.recipe_epochs, defaults.service_epochs) == (15, 40)
    assert tuple(parser.parse_args(["--grid", "1", "19"]).grid) == (1, 19)


def _study(trials):
    study = optuna.create_study(directions=["maximize", "minimize"])
    choices = optuna.distributions.CategoricalDistribution([32, 40, 1, 2, 3])
    for accuracy, params, attrs in trials:
        study.add_trial(optuna.trial.create_trial(values=[accuracy, 100], params=params, user_attrs=attrs,
                                                  distributions={k: choices for k in params}))
    return study


def test_the_winner_is_the_most_accurate_stage_one_trial():
    study = _study([(0.7, {"image_size": 32, "generator": 1}, {}), (0.9, {"image_size": 40, "generator": 3}, {}),
                    (0.8, {"image_size": 32, "generator": 2}, {})])
    assert best_size_and_generator(study) == (40, 3)


def test_the_compute_limit_stops_the_study_once_spent():
    study = optuna.create_study(directions=["maximize", "minimize"])

    def objective(trial):
        trial.set_user_attr("epoch_images", 400)
        return 0.5, 10

    study.optimize(objective, n_trials=100, callbacks=[ComputeLimit(1000)])
    assert len(study.trials) == 3  # 400, 800, then 1,200 >= 1,000: stop


def _idx(path, array):
    header = struct.pack(">BBBB", 0, 0, 8, array.ndim) + b"".join(struct.pack(">I", d) for d in array.shape)
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.astype(np.uint8).tobytes())


def test_fashion_subset_is_stratified_pngs_in_class_folders(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 6)
    images = rng.integers(0, 256, size=(60, 28, 28))
    images[:, 0, 0] = labels  # each image carries its own label in a pixel
    _idx(tmp_path / "train-images-idx3-ubyte.gz", images)
    _idx(tmp_path / "train-labels-idx1-ubyte.gz", labels)
    assert read_idx(tmp_path / "train-labels-idx1-ubyte.gz").tolist() == labels.tolist()
    root = fashion_folder(tmp_path / "cache", per_class=4, seed=1, source=tmp_path)
    folder = scan_image_folder(root)
    assert folder.class_names == tuple(sorted(CLASS_NAMES))
    assert np.bincount(folder.labels).tolist() == [4] * 10
    from PIL import Image
    for relative, label in zip(folder.files, folder.labels):
        pixel = np.asarray(Image.open(root / relative))[0, 0]
        assert CLASS_NAMES[pixel] == folder.class_names[label]  # the image sits in its own class folder


def test_missing_fashion_package_says_how_to_install_it(tmp_path):
    with pytest.raises(FashionMissing, match="apt-get install -y dataset-fashion-mnist"):
        fashion_folder(tmp_path / "cache", per_class=4, source=tmp_path / "absent")
