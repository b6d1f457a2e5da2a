"""MACs of one inference, against counts done by hand."""

from objectives.architectures import build_model
from objectives.budgets.macs import model_macs
from objectives.config import ArchitectureConfig


def test_macs_of_a_plain_network_match_a_hand_count():
    # 16x16x3 -> Conv 3x3 valid, 4 filters: 14x14 outputs x 27 weights x 4 = 21,168
    # MaxPool -> 7x7x4 -> Flatten 196 -> Dense 8: 1,568 -> Dense 3: 24
    model = build_model(ArchitectureConfig("plain", (4,), (8,)), 16, 3, standardize=False)
    assert model_macs(model) == 14 * 14 * 27 * 4 + 196 * 8 + 8 * 3 == 22_760


def test_macs_of_the_strided_family_grow_with_pixels_but_parameters_do_not():
    # 32 px: block1 16x16 x 27 x 4 = 27,648; block2 8x8 x 36 x 8 = 18,432; block3 4x4 x 72 x 16 = 18,432;
    # global pooling -> Dense 3: 48
    architecture = ArchitectureConfig("strided", (4, 8, 16), ())
    small, large = build_model(architecture, 32, 3, False), build_model(architecture, 64, 3, False)
    assert model_macs(small) == 27_648 + 18_432 + 18_432 + 48
    assert model_macs(large) == 4 * (27_648 + 18_432 + 18_432) + 48
    assert small.count_params() == large.count_params()


def test_grouped_and_depthwise_convolutions_count_each_kernel_once():
    # shufflenet stem 3x3 stride 2 at 16 px: 8x8 x 27 x 8; a depthwise 3x3 counts 9 per channel, not 9 x channels
    shuffle = build_model(ArchitectureConfig("shufflenet", (8, 16), (), groups=2), 16, 2, False)
    mobile = build_model(ArchitectureConfig("mobilenet", (8, 16), ()), 16, 2, False)
    # mobilenet: stem 8x8x27x8 = 13,824; depthwise 4x4 x 9 x 8 = 1,152; pointwise 4x4 x 8 x 16 = 2,048; Dense 32
    assert model_macs(mobile) == 13_824 + 1_152 + 2_048 + 16 * 2
    assert model_macs(shuffle) > 8 * 8 * 27 * 8
