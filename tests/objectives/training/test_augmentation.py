import numpy as np
import tensorflow as tf

from objectives.training.augmentation import (
    RandomAffine,
    RandomBrightnessScale,
    augmentation_layers,
    training_pipeline,
    uses_standardization,
)


def _geometry(layer: RandomAffine) -> tuple:
    return layer.rotation, layer.shear, layer.zoom, layer.shift, layer.flips


def test_generators_have_the_recipes_settings():
    layers = {g: augmentation_layers(g, seed=0) for g in (1, 2, 3, 4)}
    assert layers[1] == []
    for g in (2, 3, 4):
        assert [type(layer).__name__ for layer in layers[g]] == ["RandomAffine", "RandomBrightnessScale"]
        assert (layers[g][1].low, layers[g][1].high) == (0.2, 1.0)
    assert _geometry(layers[2][0]) == _geometry(layers[3][0]) == (40.0, 0.0, 0.0, 0.0, True)
    assert _geometry(layers[4][0]) == (40.0, 0.2, 0.2, 0.2, True)
    # generator 3 adds featurewise standardisation, which lives in the model
    assert [uses_standardization(g) for g in (1, 2, 3, 4)] == [False, False, True, True]


def test_an_affine_with_no_ranges_is_the_identity_and_flips_are_exact():
    images = np.random.default_rng(0).random((64, 6, 6, 3)).astype(np.float32)
    assert np.allclose(RandomAffine(seed=0)(images, training=True), images, atol=1e-6)
    flipped = np.asarray(RandomAffine(flips=True, seed=0)(images, training=True))
    variants = [images, images[:, :, ::-1], images[:, ::-1, :], images[:, ::-1, ::-1]]
    kinds = [next(k for k, v in enumerate(variants) if np.allclose(flipped[i], v[i], atol=1e-6)) for i in range(64)]
    assert set(kinds) == {0, 1, 2, 3}  # every flip happens, each pixel moved exactly
    assert np.array_equal(np.asarray(RandomAffine(flips=True, seed=0)(images, training=False)), images)


def test_shifts_and_rotations_fill_with_the_nearest_pixel_not_black():
    noise = np.random.default_rng(1).random((32, 16, 16, 3)).astype(np.float32) * 0.1
    images = np.full((32, 16, 16, 3), 0.5, np.float32) + noise
    moved = np.asarray(augmentation_layers(4, seed=3)[0](images, training=True))
    assert moved.min() >= 0.5 - 1e-6  # nothing outside the image was filled with zeros
    assert not np.allclose(moved, images)


def test_brightness_multiplies_by_a_factor_between_0_2_and_1():
    layer = RandomBrightnessScale(0.2, 1.0, seed=1)
    images = np.full((64, 4, 4, 3), 0.5, np.float32)
    out = np.asarray(layer(images, training=True))
    factors = out[:, 0, 0, 0] / 0.5
    assert factors.min() >= 0.2 - 1e-6 and factors.max() <= 1.0 + 1e-6
    assert np.allclose(out, out[:, :1, :1, :1])  # one factor per image, all pixels and channels
    assert np.array_equal(np.asarray(layer(images, training=False)), images)


def test_generator_one_passes_training_images_unchanged():
    images = np.random.default_rng(0).random((10, 8, 8, 3)).astype(np.float32)
    batches = list(training_pipeline(tf.constant(images), tf.constant(np.arange(10)), 1, 4, seed=0))
    seen = np.concatenate([b[0].numpy() for b in batches])
    order = np.concatenate([b[1].numpy() for b in batches])
    assert np.allclose(seen, images[order])


def test_generator_four_changes_training_images_and_keeps_their_static_size():
    images = np.random.default_rng(0).random((10, 8, 8, 3)).astype(np.float32)
    pipeline = training_pipeline(tf.constant(images), tf.constant(np.arange(10)), 4, 10, seed=0)
    assert pipeline.element_spec[0].shape.as_list() == [None, 8, 8, 3]  # a model traced on it knows its sizes
    batches = list(pipeline)
    x, order = batches[0][0].numpy(), batches[0][1].numpy()
    assert not np.allclose(x, images[order])


def _epochs(seed: int, generator: int = 4, epochs: int = 2) -> list[np.ndarray]:
    images = np.random.default_rng(0).random((96, 8, 8, 3)).astype(np.float32)
    pipeline = training_pipeline(tf.constant(images), tf.constant(np.arange(96)), generator, 8, seed=seed)
    return [np.concatenate([x.numpy() for x, _ in pipeline]) for _ in range(epochs)]


def test_the_same_seed_gives_the_same_augmented_batches_every_epoch_every_time():
    first, again = _epochs(seed=5), _epochs(seed=5)
    for epoch, (a, b) in enumerate(zip(first, again)):
        assert np.array_equal(a, b), f"epoch {epoch} differs"  # parallel map, twelve batches: still exact
    assert not np.allclose(first[0], first[1])  # each epoch draws anew
    assert not np.allclose(first[0], _epochs(seed=6)[0])  # and the seed matters
