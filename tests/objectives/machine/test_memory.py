"""A model too large for this machine's memory fails before training, with the estimate in its reason."""

import pytest
from optuna.trial import TrialState

from objectives.architectures import build_model
from objectives.config import ArchitectureConfig, TrainingConfig
from objectives.errors import InfeasibleConfiguration
from objectives.machine.memory import check_fits_memory, size_bytes, sizes_that_fit, training_bytes
from search.runner.run import RunSettings, run_study
from tests.conftest import tiny_space


def test_the_estimate_grows_with_image_size_and_batch_and_refuses_what_does_not_fit(monkeypatch):
    small = build_model(ArchitectureConfig("plain", (8,), (16,)), 16, 3, False)
    large = build_model(ArchitectureConfig("plain", (8,), (16,)), 64, 3, False)
    assert training_bytes(small, 32) < training_bytes(large, 32)
    assert training_bytes(small, 32) < training_bytes(small, 64)
    check_fits_memory(small, 32, 16)  # fits the real machine
    monkeypatch.setenv("SEARCH_MEMORY_LIMIT_MB", "1")
    with pytest.raises(InfeasibleConfiguration, match=r"training needs about \d+ MB \(batch 32, 64x64 images, "
                                                      r"[\d,]+ parameters\), but 1 MB are available; narrow"):
        check_fits_memory(large, 32, 64)


def test_a_trial_over_the_memory_is_infeasible_with_its_reason_and_trains_nothing(small_digits, tmp_path, monkeypatch):
    monkeypatch.setenv("SEARCH_MEMORY_LIMIT_MB", "1")
    study = run_study(RunSettings(study="m", storage=f"sqlite:///{tmp_path}/optuna.db", trials=1, data_dir=small_digits,
                                  space=tiny_space(tmp_path), training=TrainingConfig(epochs=1, folds=2),
                                  cache_root=tmp_path / "cache", mlflow=False, start_points=False))
    trial, = study.trials
    assert trial.state == TrialState.PRUNED and "epoch_images" not in trial.user_attrs
    assert trial.user_attrs["pruned_reason"].startswith("infeasible, not trained: training needs about ")


def test_sizes_that_do_not_fit_are_left_out_with_one_line_each(monkeypatch):
    monkeypatch.setenv("SEARCH_MEMORY_LIMIT_MB", "200")  # 100 MB for images: 600 images fit at 128 px, not at 256
    kept, dropped = sizes_that_fit(600, (64, 128, 256))
    assert kept == (64, 128)
    assert dropped == ["image size 256 px left out: 600 images at 256x256 need about 0.2 GB, and 0.1 GB (half of "
                       "what is available) can be given to them; list smaller sizes in the space file, or use fewer "
                       "images"]
    assert size_bytes(600, 128) == 2 * 600 * 128 * 128 * 3
