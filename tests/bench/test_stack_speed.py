"""The stack bench's fits: a real model, built, fitted, put back and fitted again."""

from __future__ import annotations

import numpy as np

from bench.stack_speed import first_and_second_fit
from objectives.config import ArchitectureConfig, TrainingConfig, TrialConfig


def test_a_first_and_a_second_fit_are_both_timed_on_a_real_model():
    rng = np.random.default_rng(0)
    images, labels = rng.integers(0, 256, (40, 8, 8, 3), dtype=np.uint8), np.arange(40) % 2
    config = TrialConfig(8, 1, ArchitectureConfig("plain", (2,), (4,)), TrainingConfig(epochs=1, batch_size=8))
    first, second = first_and_second_fit(config, images, labels)
    assert first > second > 0  # the first pays for building and tracing the model
