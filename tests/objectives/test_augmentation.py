import numpy as np
import tensorflow as tf

from objectives.augmentation import RandomBrightnessScale, augmentation_layers, training_pipeline, uses_standardization


def test_generators_add_the_recipes_transforms_in_order():
    names = {g: [type(layer).__name__ for layer in augmentation_layers(g, seed=0)] for g in (1, 2, 3, 4)}
    assert names[1] == []
    assert names[2] == ["RandomRotation", "RandomBrightnessScale", "RandomFlip"]
    assert names[3] == names[2]  # generator 3 adds featurewise standardisation, which lives in the model
    assert names[4] == names[2] + ["RandomZoom", "RandomShear", "RandomTranslation"]
    assert [uses_standardization(g) for g in (1, 2, 3, 4)] == [False, False, True, True]


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


def test_generator_four_changes_training_images():
    images = np.random.default_rng(0).random((10, 8, 8, 3)).astype(np.float32)
    batches = list(training_pipeline(tf.constant(images), tf.constant(np.arange(10)), 4, 10, seed=0))
    x, order = batches[0][0].numpy(), batches[0][1].numpy()
    assert not np.allclose(x, images[order])
