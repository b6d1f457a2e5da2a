"""Stratified k-fold cross-validation of one configuration: the study's first objective.

One model is built and traced per trial; before every fold its weights and optimizer state are put back
to the untrained values they had when it was built, so no fold (and no configuration) starts from
weights another one trained. Re-tracing per fold would cost most of a small trial's time: `python -m
bench.stack_speed` prints, per family, a new model's first fit of one epoch against a second fit of the
same model from its restored initial state (on a tiny CNN, 800 images: 0.90 s against 0.15 s).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from objectives.architectures import build_model
from objectives.budgets.macs import model_macs
from objectives.config import TrainingConfig, TrialConfig
from objectives.data.preprocessing import INPUT_NORMALISATION
from objectives.errors import TimeUp
from objectives.training.augmentation import training_pipeline, uses_standardization
from objectives.training.standardization import FeaturewiseStandardization


@dataclass
class FoldResult:
    fold: int
    accuracy: float  # over every validation image of the fold
    seconds: float  # building excluded, fit and evaluation included
    # "epoch" numbers and the training loss/accuracy there
    history: dict[str, list[float]] = field(default_factory=dict)
    fit_seconds: float = 0.0  # training alone (``fit``): what the overhead of a trial is measured against
    epoch_images: int = 0  # epochs x training images: the compute the fold spent, comparable across methods


@dataclass
class CrossValidationResult:
    params: int
    folds: list[FoldResult]
    build_seconds: float
    model_summary: str = ""  # Keras' summary, once every fold has trained
    macs: int = 0  # multiply-accumulates of one inference on one image (objectives.budgets.macs)

    @property
    def accuracies(self) -> list[float]:
        return [f.accuracy for f in self.folds]

    @property
    def mean_accuracy(self) -> float:
        return float(np.mean(self.accuracies))

    @property
    def std_accuracy(self) -> float:
        return float(np.std(self.accuracies))

    @property
    def training_seconds(self) -> float:
        return float(sum(f.seconds for f in self.folds))

    @property
    def fit_seconds(self) -> float:
        return float(sum(f.fit_seconds for f in self.folds))

    @property
    def epoch_images(self) -> int:
        return int(sum(f.epoch_images for f in self.folds))


STEPS_PER_EXECUTION = 40
HISTORY_POINTS, MIN_HISTORY_POINTS = 10, 5  # points per fold's learning curve, when epochs allow

FoldCallback = Callable[[FoldResult, "CrossValidationResult"], None]


class FreshStart:
    """The untrained state of a compiled model, to put back before each fold."""

    def __init__(self, model: keras.Model):
        self.model = model
        model.optimizer.build(model.trainable_variables)
        self._variables = list(model.variables) + list(model.optimizer.variables)
        self._values = [v.numpy().copy() for v in self._variables]

    def restore(self) -> None:
        for variable, value in zip(self._variables, self._values):
            variable.assign(value)


def learning_rate(training: TrainingConfig,
                  steps_per_epoch: int) -> float | keras.optimizers.schedules.LearningRateSchedule:
    """Adam's rate: constant, or a cosine from the peak down to 0 at the fold's last step. The schedule
    reads the optimizer's step counter, which ``FreshStart`` puts back to 0 before every fold."""
    if training.schedule == "constant":
        return training.learning_rate
    return keras.optimizers.schedules.CosineDecay(training.learning_rate,
                                                  decay_steps=max(1, steps_per_epoch * training.epochs))


def steps_per_epoch(train_sizes: Iterable[int], batch_size: int) -> int:
    """Batches per epoch of the largest training set (folds differ by an image at most)."""
    return max(-(-size // batch_size) for size in train_sizes)


def compiled_model(config: TrialConfig, num_classes: int, steps: int) -> keras.Model:
    """A new model for ``config``, compiled with the study's optimizer for ``steps`` batches an epoch;
    seeded for reproducibility."""
    keras.utils.set_random_seed(config.training.seed)
    model = build_model(config.architecture, config.image_size, num_classes, uses_standardization(config.generator))
    # XLA ("auto" on CPU) cost more than it saved on these small models; running many steps per call of
    # the traced function trains identically and saves the per-step Python overhead (`python -m
    # bench.stack_speed` times a default trial, to compare such settings).
    model.compile(optimizer=keras.optimizers.Adam(learning_rate(config.training, steps)),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=False,
                  steps_per_execution=STEPS_PER_EXECUTION)
    return model


def standardizer_of(model: keras.Model) -> FeaturewiseStandardization | None:
    found = [layer for layer in model.layers if isinstance(layer, FeaturewiseStandardization)]
    return found[0] if found else None


def fit(model: keras.Model, config: TrialConfig, images: np.ndarray, labels: np.ndarray,
        callbacks: list[keras.callbacks.Callback] = ()) -> dict[str, list[float]]:
    """Train on uint8 images: fit featurewise statistics on exactly these images, then run the generator.

    The images stay uint8 until a batch is drawn: a float32 copy of a fold is 4 times its size (2,000 images
    at 256 px: 393 MB as uint8, 1.6 GB as float32), and TensorFlow held a second copy of such an array."""
    standardizer = standardizer_of(model)
    if standardizer is not None:
        mean, std = channel_statistics(images)
        standardizer.set_statistics(mean, std)
    dataset = training_pipeline(tf.constant(images), tf.constant(labels), config.generator,
                                config.training.batch_size, config.training.seed, normalised)
    chunk = epochs_per_point(config.training.epochs)
    # each pass of the repeated dataset reshuffles (and re-augments) as a new epoch would
    history = model.fit(dataset.repeat(chunk), epochs=config.training.epochs // chunk, verbose=0, shuffle=False,
                        callbacks=list(callbacks))
    recalibrate_batch_norm(model, images)
    curves = {name: [float(v) for v in values] for name, values in history.history.items()}
    return {"epoch": [chunk * (i + 1) for i in range(config.training.epochs // chunk)], **curves}


def normalised(images: tf.Tensor) -> tf.Tensor:
    """uint8 pixels as the model's input contract (``INPUT_NORMALISATION``), batch by batch inside tf.data."""
    return (tf.cast(images, tf.float32) - INPUT_NORMALISATION.mean) / INPUT_NORMALISATION.std


def channel_statistics(images: np.ndarray, chunk: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and std of the normalised images, summed in chunks so no float copy of the fold is made."""
    total = np.zeros(images.shape[-1])
    squares = np.zeros(images.shape[-1])
    for start in range(0, len(images), chunk):
        part = INPUT_NORMALISATION.apply(images[start:start + chunk]).astype(np.float64).reshape(-1, images.shape[-1])
        total += part.sum(axis=0)
        squares += (part * part).sum(axis=0)
    count = images[..., 0].size
    mean = total / count
    return mean, np.sqrt(np.maximum(squares / count - mean * mean, 0.0))


class StopAt(keras.callbacks.Callback):
    """Ends training with ``TimeUp`` once ``deadline`` (``time.time()`` seconds) has passed, checked after every
    call of the traced step (``STEPS_PER_EXECUTION`` batches): a Keras epoch here can be several passes over
    the data, minutes of a large network at hundreds of pixels."""

    def __init__(self, deadline: float):
        super().__init__()
        self.deadline = deadline

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if time.time() >= self.deadline:
            raise TimeUp("the study's time budget ran out during training")


def epochs_per_point(epochs: int) -> int:
    """Epochs per Keras epoch (one point of the learning curve): several when that still leaves 5-10 points.

    Keras pays a fixed cost of Python per epoch (callbacks, iterators, metrics), about as long as a tiny
    network's epoch on the digits, so one fit epoch over several passes of the data trains the same updates
    in less time. The count divides ``epochs`` exactly, so every fold trains the epochs asked.
    """
    points = max(p for p in range(1, min(epochs, HISTORY_POINTS) + 1) if epochs % p == 0)
    return epochs // points if points >= MIN_HISTORY_POINTS else 1


def recalibrate_batch_norm(model: keras.Model, images: np.ndarray, sample: int = 512, batch: int = 512) -> None:
    """Set every batch-norm layer's moving statistics to the true statistics of the (uint8) training images.

    The moving averages start at mean 0 / variance 1 and, after the few hundred steps of a small data
    set, still remember it: a MobileNetV2 at full training accuracy scored chance on its validation fold
    with moving statistics, and nearly its training accuracy with batch statistics. Passes in training
    mode over (a sample of) the training fold replace the averages by the image-weighted mean of the
    batches' statistics (momentum = images seen before / images seen after the batch): the exact mean,
    and the variance up to the small spread between batch means. Batches, not one pass over the whole
    sample: one pass of a few thousand images holds gigabytes of a MobileNetV2's activations. 512 images give
    every channel's statistics from hundreds of thousands of values.
    """
    layers = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    if not layers:
        return
    momenta = [layer.momentum for layer in layers]
    chosen = np.sort(np.random.default_rng(0).permutation(len(images))[:sample])
    try:
        for start in range(0, len(chosen), batch):
            part = chosen[start:start + batch]
            for layer in layers:
                layer.momentum = start / (start + len(part))
            model(INPUT_NORMALISATION.apply(images[part]), training=True)
    finally:
        for layer, momentum in zip(layers, momenta):
            layer.momentum = momentum


def accuracy(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> float:
    """Top-1 accuracy over every image given (no fixed step count, no truncation)."""
    return float(np.mean(np.argmax(predict(model, images), axis=1) == labels))


def predict(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """Class probabilities for uint8 images. A dataset with an open batch size is traced once, where
    numpy input of another length would re-trace the prediction function every fold."""
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(256).map(normalised)
    return model.predict(dataset, verbose=0)


def cross_validate(config: TrialConfig, images: np.ndarray, labels: np.ndarray, num_classes: int,
                   folds: list[tuple[np.ndarray, np.ndarray]], on_fold: FoldCallback | None = None,
                   on_built: Callable[[keras.Model, "CrossValidationResult"], None] | None = None,
                   deadline: float | None = None) -> CrossValidationResult:
    """Mean accuracy over ``folds`` (positions into ``images``).

    ``on_built`` sees the compiled model, its parameter count and MACs before any training, and ``on_fold``
    each finished fold; either may raise to stop the trial there. Past ``deadline`` (``time.time()``
    seconds) training stops at the next epoch's end with ``TimeUp``.
    """
    started = time.perf_counter()
    steps = steps_per_epoch([len(train) for train, _ in folds], config.training.batch_size)
    model = compiled_model(config, num_classes, steps)
    fresh = FreshStart(model)
    result = CrossValidationResult(model.count_params(), [], time.perf_counter() - started, macs=model_macs(model))
    callbacks = [StopAt(deadline)] if deadline is not None else []
    if on_built is not None:
        on_built(model, result)
    for number, (train, validation) in enumerate(folds):
        if number:  # the first fold starts from the state FreshStart has just taken
            fresh.restore()
        fold_started = time.perf_counter()
        history = fit(model, config, images[train], labels[train], callbacks)
        fit_seconds = time.perf_counter() - fold_started
        fold = FoldResult(number, accuracy(model, images[validation], labels[validation]),
                          time.perf_counter() - fold_started, history, fit_seconds,
                          config.training.epochs * len(train))
        result.folds.append(fold)
        if on_fold is not None:
            on_fold(fold, result)
    result.model_summary = model_summary(model)
    return result


def model_summary(model: keras.Model) -> str:
    """Keras' summary table as text, written once every fold has trained: an early-stopped trial (most of a
    study's) does not store it, and a MobileNetV2 or ShuffleNet body makes it a long table to build."""
    lines: list[str] = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    return "\n".join(lines)
