"""KerasTuner Hyperband under a wall-time budget: it stops at the deadline and scores every model it trained."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image

pytest.importorskip("keras_tuner", reason="keras-tuner is a bench-only extra (requirements-bench.lock)")

from bench.kerastuner import main, run  # noqa: E402


def test_a_short_budget_stops_and_every_model_is_scored_on_the_held_out_images(tmp_path: Path) -> None:
    for label, colour in (("dark", 40), ("light", 220)):
        (tmp_path / "data" / label).mkdir(parents=True)
        for i in range(10):
            Image.new("RGB", (40, 40), (colour + i, colour, colour)).save(tmp_path / "data" / label / f"{i}.png")
    started = time.monotonic()
    result = run(tmp_path / "data", 16, 4.0, tmp_path / "work", tmp_path / "cache")
    assert time.monotonic() - started < 60 and result["wall_seconds"] < 30
    assert result["models"] and all(m["params"] > 0 and m["test_accuracy"] in (0.0, 1 / 3, 2 / 3, 1.0)
                                    for m in result["models"])  # 3 held-out images


def test_bad_settings_exit_2_before_anything_runs(tmp_path: Path, capsys) -> None:
    assert main(["--data", str(tmp_path), "--minutes", "0", "--results", str(tmp_path / "r")]) == 2
    assert "--minutes 0" in capsys.readouterr().err and not (tmp_path / "r").exists()
