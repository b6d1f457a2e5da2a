"""The strided family builds from 8 to 256 px with the same weights, downsampling only while the grid allows."""

import numpy as np

from objectives.architectures import build_model
from objectives.architectures.strided import block_widths, configure_strided, strides
from objectives.config import ArchitectureConfig


def test_widths_grow_by_the_factor_and_never_shrink():
    assert block_widths(4, 3, 1) == (4, 4, 4)
    assert block_widths(8, 3, 2) == (8, 16, 32)
    assert block_widths(5, 4, 1.5) == (5, 8, 12, 18)
    config = configure_strided({"filters": 8, "blocks": 3, "growth": 2, "dense_layers": 0, "neurons": 32})
    assert config.filters == (8, 16, 32) and config.neurons == ()


def test_blocks_stop_downsampling_once_the_grid_is_under_4_px():
    assert strides(8, 3) == (2, 2, 1)  # 8 -> 4 -> 2, then the grid is kept
    assert strides(256, 3) == (2, 2, 2)
    assert strides(5, 2) == (2, 1)  # 5 -> 3


def test_the_same_network_builds_at_8_and_256_px_with_the_same_parameters():
    architecture = ArchitectureConfig("strided", (8, 16, 32), ())
    tiny, large = build_model(architecture, 8, 3, False), build_model(architecture, 256, 3, False)
    # conv 3*3*3*8 + 3*3*8*16 + 3*3*16*32, batch-norm 4 per channel, softmax 32*3 + 3
    expected = 216 + 1152 + 4608 + 4 * (8 + 16 + 32) + 96 + 3
    assert tiny.count_params() == large.count_params() == expected == 6299
    assert tiny.get_layer("block3_conv").output.shape[1:3] == (2, 2)
    assert large.get_layer("block3_conv").output.shape[1:3] == (32, 32)
    for model, size in ((tiny, 8), (large, 256)):
        probabilities = model.predict(np.zeros((2, size, size, 3), np.float32), verbose=0)
        assert probabilities.shape == (2, 3) and np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
