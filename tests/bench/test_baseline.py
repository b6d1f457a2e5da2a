"""The fixed-CNN baseline: its architecture, parameter counts, and a one-epoch run on a tiny folder."""

from __future__ import annotations

from pathlib import Path

import keras
from PIL import Image

from bench.baseline import WIDTHS, build_model, main, run


def test_the_two_widths_have_the_intended_architecture_and_parameter_counts() -> None:
    # conv weights (no bias) + 4 per batch-norm channel + dense: (8,16,32) = 216+1152+4608 + 224 + 99 = 6,299
    large, small = build_model(64, 3, WIDTHS["large"]), build_model(128, 3, WIDTHS["small"])
    assert large.count_params() == 6_299 and build_model(128, 3, WIDTHS["large"]).count_params() == 6_299
    assert small.count_params() == 54 + 72 + 288 + 56 + 27  # 497
    convs = [layer for layer in large.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [(c.filters, c.strides, c.kernel_size) for c in convs] == [(f, (2, 2), (3, 3)) for f in (8, 16, 32)]
    assert sum(isinstance(layer, keras.layers.BatchNormalization) for layer in large.layers) == 3
    assert isinstance(large.layers[-2], keras.layers.GlobalAveragePooling2D) and large.output_shape == (None, 3)


def test_one_epoch_on_a_tiny_folder_scores_the_held_out_images(tmp_path: Path) -> None:
    for label, colour in (("dark", 40), ("light", 220)):
        (tmp_path / "data" / label).mkdir(parents=True)
        for i in range(10):
            Image.new("RGB", (40, 40), (colour + i, colour, colour)).save(tmp_path / "data" / label / f"{i}.png")
    result = run(tmp_path / "data", (16,), 1, tmp_path / "cache")
    assert (result["search_images"], result["test_images"]) == (17, 3) and len(result["models"]) == 2
    assert all(0.0 <= m["test_accuracy"] <= 1.0 and m["size"] == 16 for m in result["models"])
    assert result["colour_only_test_accuracy"] == 1.0  # the classes differ by brightness only


def test_a_missing_folder_exits_2_before_training(tmp_path: Path, capsys) -> None:
    assert main(["--data", str(tmp_path / "none"), "--results", str(tmp_path)]) == 2
    assert "is not a folder" in capsys.readouterr().err and not list(tmp_path.iterdir())
