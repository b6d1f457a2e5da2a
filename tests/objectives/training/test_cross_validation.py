"""Real TensorFlow on real digits (a few dozen images, one or two epochs)."""

import time

import numpy as np
import pytest

from objectives.architectures import build_model, registry
from objectives.config import ArchitectureConfig, TrainingConfig, TrialConfig
from objectives.data.dataset import scan_image_folder
from objectives.data.preprocessing import INPUT_NORMALISATION
from objectives.data.size_cache import SizeCache
from objectives.data.splits import stratified_folds
from objectives.errors import InfeasibleConfiguration, TimeUp
import objectives.training.cross_validation as training
from objectives.training.cross_validation import (
    FreshStart,
    channel_statistics,
    compiled_model,
    cross_validate,
    standardizer_of,
)
from objectives.training.standardization import FeaturewiseStandardization
from spaces.space import load_space


@pytest.fixture
def digits_data(digits_root, tmp_path):
    from tests.conftest import digits_subset

    folder = scan_image_folder(digits_subset(digits_root, tmp_path / "d", per_class=8, classes=4))
    return SizeCache(tmp_path / "cache", folder), folder.labels


def _config(family="plain", generator=1, size=16, epochs=1, **arch) -> TrialConfig:
    arch = {"filters": (4,), "neurons": (8,), **arch}
    return TrialConfig(size, generator, ArchitectureConfig(family, **arch), TrainingConfig(epochs=epochs, folds=2))


def test_paper_models_are_expressible_and_count_their_parameters():
    model1 = build_model(ArchitectureConfig("plain", (30,), (50,)), 50, 4, standardize=False)
    # Conv 3*3*3*30+30, flatten 24*24*30 -> Dense 50, Dense 4
    assert model1.count_params() == (3 * 3 * 3 * 30 + 30) + (24 * 24 * 30 * 50 + 50) + (50 * 4 + 4)
    model2 = build_model(ArchitectureConfig("plain", (32, 32, 32, 64), (128, 50, 20)), 100, 4, standardize=False)
    assert [l.filters for l in model2.layers if l.name.startswith("conv_")] == [32, 32, 32, 64]
    assert [l.units for l in model2.layers if l.name.startswith("dense_")] == [128, 50, 20]


def test_too_many_pooling_stages_for_the_image_is_refused_before_building():
    with pytest.raises(InfeasibleConfiguration, match="4 conv\\+pool blocks \\(valid padding\\) cannot run on 30x30"):
        build_model(ArchitectureConfig("plain", (8,) * 4, (8,)), 30, 3, standardize=False)
    # same padding keeps the border: 30 -> 15 -> 7 -> 3 -> 1 pixels, so the same four blocks fit
    assert build_model(ArchitectureConfig("plain", (8,) * 4, (8,), padding="same"), 30, 3,
                       standardize=False).count_params()


def _watched(model_holder: list, after: list):
    """cross_validate's own hooks: the model once built (with its untrained state), then its state after
    every fold."""
    def state(model) -> list:
        return [w.copy() for w in model.get_weights()] + [int(model.optimizer.iterations.numpy())]

    def on_built(model, result) -> None:
        model_holder.append(model)
        after.append(state(model))

    def on_fold(fold, result) -> None:
        after.append(state(model_holder[0]))

    return on_built, on_fold


def test_weights_and_optimizer_are_fresh_for_every_fold(digits_data):
    """The same training fold twice: a fold that starts from the untrained weights and a zeroed optimizer
    ends where the first did; one that went on from the first fold's weights would not."""
    cache, labels = digits_data
    images = cache.load(16)
    split = stratified_folds(labels, ("0", "1", "2", "3"), 2, 0)[0]
    model, states = [], []
    on_built, on_fold = _watched(model, states)
    cross_validate(_config(epochs=2), images, labels, 4, [split, split], on_fold=on_fold, on_built=on_built)
    untrained, after_first, after_second = states
    assert untrained[-1] == 0 and after_first[-1] > 0
    assert after_second[-1] == after_first[-1]  # the step counter was reset, not carried on
    assert not all(np.array_equal(a, b) for a, b in zip(untrained[:-1], after_first[:-1]))  # fold 1 trained
    assert all(np.allclose(a, b, atol=1e-4) for a, b in zip(after_first[:-1], after_second[:-1]))


def test_featurewise_statistics_come_from_the_training_fold_only(digits_data):
    cache, labels = digits_data
    images = cache.load(16)
    folds = stratified_folds(labels, ("0", "1", "2", "3"), 2, 0)
    model: list = []
    fitted: list[tuple[np.ndarray, np.ndarray]] = []

    def on_fold(fold, result) -> None:
        layer = standardizer_of(model[0])
        fitted.append((layer.mean.numpy().copy(), layer.std.numpy().copy()))

    cross_validate(_config(generator=3), images, labels, 4, folds, on_fold=on_fold,
                   on_built=lambda built, result: model.append(built))
    for (train, validation), (mean, std) in zip(folds, fitted):
        x_train = INPUT_NORMALISATION.apply(images[train])
        x_val = INPUT_NORMALISATION.apply(images[validation])
        assert np.allclose(mean, x_train.mean(axis=(0, 1, 2)), atol=1e-5)
        assert np.allclose(std, x_train.std(axis=(0, 1, 2)), atol=1e-5)
        assert not np.allclose(mean, x_val.mean(axis=(0, 1, 2)), atol=1e-5)
    assert not np.allclose(fitted[0][0], fitted[1][0])  # re-fitted per fold, not frozen at fold 1


def test_standardization_is_read_from_variables_inside_a_traced_model():
    model = build_model(ArchitectureConfig("plain", (2,), (4,)), 16, 2, standardize=True)
    layer = standardizer_of(model)
    assert isinstance(layer, FeaturewiseStandardization) and not layer.is_fitted()
    x = np.random.default_rng(0).random((4, 16, 16, 3)).astype("float32")
    model.predict(x, verbose=0)  # trace once
    shifted = x * 0.5 + 0.2
    layer.set_statistics(shifted.mean(axis=(0, 1, 2)), shifted.std(axis=(0, 1, 2)))
    inner = model.get_layer("conv_1")
    probe = __import__("keras").Model(model.input, inner.input)
    assert np.allclose(probe.predict(x, verbose=0), (x - layer.mean.numpy()) / layer.std.numpy(), atol=1e-5)


def test_channel_statistics_match_numpy_over_the_normalised_images():
    images = np.random.default_rng(1).integers(0, 256, (70, 9, 7, 3), dtype=np.uint8)
    mean, std = channel_statistics(images, chunk=8)  # chunks that do not divide the count
    x = INPUT_NORMALISATION.apply(images)
    assert np.allclose(mean, x.mean(axis=(0, 1, 2)), atol=1e-6) and np.allclose(std, x.std(axis=(0, 1, 2)), atol=1e-6)


def test_training_stops_with_time_up_once_the_deadline_has_passed(digits_data):
    cache, labels = digits_data
    folds = stratified_folds(labels, ("0", "1", "2", "3"), 2, 0)
    with pytest.raises(TimeUp):
        cross_validate(_config(), cache.load(16), labels, 4, folds, deadline=time.time() - 1)


@pytest.mark.parametrize("family", ["plain", "strided", "mobilenet", "mobilenetv2", "shufflenet"])
def test_each_family_builds_and_trains_at_the_smallest_and_largest_default_size(family, digits_data):
    cache, labels = digits_data
    space = load_space().for_native_size(16)  # the sizes 16 px images get: 8, 12, 16
    parameters = space.families[family]
    # the largest network of the family that the default space allows
    largest = {name: (p.choices[-1] if hasattr(p, "choices") else p.high) for name, p in parameters.items()}
    if family == "plain":
        largest["conv_blocks"] = 3  # 4 blocks are (correctly) infeasible at the smallest size
    architecture = registry.family(family).configure(largest)
    folds = stratified_folds(labels, ("0", "1", "2", "3"), 2, 0)
    for size in (min(space.image_sizes), max(space.image_sizes)):
        config = TrialConfig(size, 4, architecture, TrainingConfig(epochs=2, folds=2))
        result = cross_validate(config, cache.load(size), labels, 4, folds)
        assert result.params > 0 and len(result.folds) == 2
        assert all(0.0 <= a <= 1.0 for a in result.accuracies)
        losses = result.folds[0].history["loss"]
        assert len(losses) == 2 and all(np.isfinite(losses))


def test_a_lightweight_family_learns_beyond_chance(digits_root, tmp_path):
    """STACK.md: stock MobileNets scored chance on small data; ours must not."""
    from tests.conftest import digits_subset

    folder = scan_image_folder(digits_subset(digits_root, tmp_path / "d", per_class=60, classes=4))
    cache = SizeCache(tmp_path / "c", folder)
    config = TrialConfig(32, 1, ArchitectureConfig("mobilenetv2", (8, 16, 32), (32,), expansion=4),
                         TrainingConfig(epochs=8, folds=2))
    result = cross_validate(config, cache.load(32), folder.labels, 4,
                            stratified_folds(folder.labels, folder.class_names, 2, 0))
    assert result.mean_accuracy > 0.6, result.accuracies  # chance is 0.25


def test_fresh_start_restores_every_variable():
    model = compiled_model(_config(), 3, steps=1)
    fresh = FreshStart(model)
    before = [v.numpy().copy() for v in model.variables]
    x = np.random.default_rng(1).random((8, 16, 16, 3)).astype("float32")
    model.fit(x, np.arange(8) % 3, epochs=1, verbose=0)
    fresh.restore()
    assert all(np.array_equal(a, v.numpy()) for a, v in zip(before, model.variables))
    assert int(model.optimizer.iterations.numpy()) == 0


def test_batch_norm_statistics_are_those_of_the_training_images():
    import keras

    model = compiled_model(_config(family="mobilenetv2", filters=(8, 16), expansion=2), 3, steps=1)
    images = np.random.default_rng(2).integers(0, 26, (600, 16, 16, 3), dtype=np.uint8)  # batches of 256, 256, 88
    training.recalibrate_batch_norm(model, images, sample=600, batch=256)
    first = next(l for l in model.layers if isinstance(l, keras.layers.BatchNormalization))
    before = keras.Model(model.input, first.input)(INPUT_NORMALISATION.apply(images)).numpy()
    assert np.allclose(first.moving_mean.numpy(), before.mean(axis=(0, 1, 2)), atol=1e-5)
    assert np.allclose(first.moving_variance.numpy(), before.var(axis=(0, 1, 2)), rtol=1e-2, atol=1e-6)
    assert first.momentum == 0.9  # restored after the pass


@pytest.mark.parametrize("family", ["plain", "strided", "mobilenet", "mobilenetv2", "shufflenet"])
def test_each_family_learns_at_its_smallest_default_size_on_small_data(family, digits_root, tmp_path):
    """The smallest network of each family, at 8 px, on 40 images a class: a front point, not a chance score."""
    from tests.conftest import digits_subset

    folder = scan_image_folder(digits_subset(digits_root, tmp_path / "d", per_class=40, classes=4))
    smallest = {name: (p.choices[0] if hasattr(p, "choices") else p.low)
                for name, p in load_space().families[family].items()}
    smallest.update(padding="same", dense_layers=0) if family == "plain" else None
    architecture = registry.family(family).configure(smallest)
    config = TrialConfig(8, 1, architecture, TrainingConfig(epochs=30, folds=2, learning_rate=0.02))
    result = cross_validate(config, SizeCache(tmp_path / "c", folder).load(8), folder.labels, 4,
                            stratified_folds(folder.labels, folder.class_names, 2, 0))
    assert result.mean_accuracy > 0.7, (result.params, result.accuracies)  # chance is 0.25


def test_the_learning_rate_decays_along_a_cosine_to_zero_at_the_last_step():
    config = _config(epochs=4)
    model = compiled_model(config, 3, steps=5)  # 5 batches an epoch: the last step is the 20th
    model.optimizer.iterations.assign(0)
    assert np.isclose(float(model.optimizer.learning_rate), config.training.learning_rate)
    model.optimizer.iterations.assign(10)
    assert np.isclose(float(model.optimizer.learning_rate), config.training.learning_rate / 2, rtol=1e-3)
    model.optimizer.iterations.assign(20)
    assert float(model.optimizer.learning_rate) < 1e-9
    constant = compiled_model(TrialConfig(16, 1, config.architecture,
                                          TrainingConfig(schedule="constant", learning_rate=0.003)), 3, 5)
    constant.optimizer.iterations.assign(20)
    assert np.isclose(float(constant.optimizer.learning_rate), 0.003)
