"""The recipe's four generators, as Keras preprocessing layers run in ``tf.data`` on training folds only.

Generator 1 is the rescale alone (that is the model's input contract, see ``preprocessing``).
Generators 3 and 4 also standardise featurewise; that part lives in the model
(``FeaturewiseStandardization``) because inference needs it too, while the random layers here never
touch validation or test images.
"""

from __future__ import annotations

import keras
import tensorflow as tf


class RandomBrightnessScale(keras.layers.Layer):
    """Multiply each image by a factor drawn from ``[low, high]``: ImageDataGenerator's brightness_range.

    Keras' ``RandomBrightness`` adds an offset instead, which is a different augmentation.
    """

    def __init__(self, low: float, high: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.low, self.high = low, high
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images, training: bool = True):
        if not training:
            return images
        factor = keras.random.uniform((keras.ops.shape(images)[0], 1, 1, 1), self.low, self.high, seed=self.seed_generator)
        return keras.ops.clip(images * factor, 0.0, 1.0)

    def compute_output_shape(self, input_shape):
        return input_shape


def uses_standardization(generator: int) -> bool:
    """Generators 3 and 4 centre and scale each channel with training-fold statistics."""
    return generator >= 3


def augmentation_layers(generator: int, seed: int) -> list[keras.layers.Layer]:
    """The random transforms of one generator, for images already rescaled to [0, 1]."""
    if generator == 1:
        return []
    layers: list[keras.layers.Layer] = [
        keras.layers.RandomRotation(40 / 360, fill_mode="nearest", seed=seed),
        RandomBrightnessScale(0.2, 1.0, seed=seed + 1),
        keras.layers.RandomFlip("horizontal_and_vertical", seed=seed + 2),
    ]
    if generator == 4:
        layers += [
            keras.layers.RandomZoom(0.2, fill_mode="nearest", seed=seed + 3),
            keras.layers.RandomShear(x_factor=0.2, y_factor=0.2, fill_mode="nearest", seed=seed + 4),
            keras.layers.RandomTranslation(0.2, 0.2, fill_mode="nearest", seed=seed + 5),
        ]
    return layers


def training_pipeline(images: tf.Tensor, labels: tf.Tensor, generator: int, batch_size: int, seed: int) -> tf.data.Dataset:
    """Shuffled, augmented batches of one training fold (images rescaled to [0, 1])."""
    augment = keras.Sequential(augmentation_layers(generator, seed)) if generator > 1 else None
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    dataset = dataset.shuffle(int(images.shape[0]), seed=seed, reshuffle_each_iteration=True).batch(batch_size)
    if augment is not None:
        dataset = dataset.map(lambda x, y: (augment(x, training=True), y), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)
