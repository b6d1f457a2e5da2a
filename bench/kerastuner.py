"""KerasTuner Hyperband given a wall-time budget on a photo set, every model it trains scored on held-out images.

The same held-out images as a study and the baseline (``bench.baseline``'s split). Hyperband's own objective
is the accuracy on a fixed 15% of the search images; after every fit (every rung of every bracket) the model
is also scored on the held-out test images, so the front of (test accuracy, params) covers all it trained.
The budget: no trial starts after the deadline, and a fit running at the deadline stops after its batch.
keras-tuner is a bench-only extra (requirements-bench.lock, installed by ``make bench``).

    python -m bench.kerastuner --data cache/photos/textures --minutes 10 --size 64
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from bench.baseline import RESULTS, SEED
from objectives.config import MIN_IMAGE_SIZE, TEST_FRACTION
from objectives.data.prepared import PreparedData, prepare
from objectives.data.preprocessing import INPUT_NORMALISATION

MAX_EPOCHS = 30


def _hypermodel(size: int, classes: int):
    """A plain CNN space: 1-4 conv blocks (conv + max-pool), filters, dense units, learning rate."""
    import keras

    def build(hp) -> keras.Model:
        inputs = keras.Input((size, size, 3))
        x = inputs
        for block in range(hp.Int("blocks", 1, 4)):
            x = keras.layers.Conv2D(hp.Choice(f"filters_{block}", [4, 8, 16, 32]), 3, padding="same",
                                    activation="relu")(x)
            x = keras.layers.MaxPooling2D()(x)
        x = keras.layers.GlobalAveragePooling2D()(x)
        x = keras.layers.Dense(hp.Choice("units", [8, 16, 32, 64]), activation="relu")(x)
        model = keras.Model(inputs, keras.layers.Dense(classes, activation="softmax")(x))
        model.compile(optimizer=keras.optimizers.Adam(hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    return build


def _tuner(data: PreparedData, size: int, deadline: float, workdir: Path, models: list[dict]):
    """Hyperband whose oracle stops at ``deadline`` and whose fits record each model's held-out accuracy."""
    import keras
    import keras_tuner as kt
    from keras_tuner.src.engine import trial as trial_module

    class TimedOracle(kt.oracles.HyperbandOracle):
        def create_trial(self, tuner_id):
            if time.monotonic() >= deadline:
                return trial_module.Trial(self.get_space(), status=trial_module.TrialStatus.STOPPED)
            return super().create_trial(tuner_id)

    class Deadline(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            self.model.stop_training = self.model.stop_training or time.monotonic() >= deadline

    test_x = INPUT_NORMALISATION.apply(data.test_images(size))
    test_y = data.folder.labels[data.test_indices]

    class Scored(kt.HyperModel):
        def build(self, hp):
            return _hypermodel(size, len(data.class_names))(hp)

        def fit(self, hp, model, *args, **kwargs):
            history = model.fit(*args, callbacks=[*kwargs.pop("callbacks", []), Deadline()], **kwargs)
            accuracy = float(np.mean(model.predict(test_x, verbose=0).argmax(axis=1) == test_y))
            models.append({"params": int(model.count_params()), "test_accuracy": accuracy,
                           "epochs": int(kwargs.get("epochs", 0)), "hyperparameters": dict(hp.values)})
            return history

    oracle = TimedOracle(objective=kt.Objective("val_accuracy", "max"), max_epochs=MAX_EPOCHS, seed=SEED)
    return kt.Tuner(oracle=oracle, hypermodel=Scored(), directory=str(workdir), project_name="hyperband",
                    overwrite=True)


def run(data_dir: Path, size: int, seconds: float, workdir: Path, cache_root: Path = Path("cache")) -> dict:
    """Hyperband for ``seconds`` of wall time (data preparation not counted) at one image size."""
    import keras

    data = prepare(data_dir, cache_root, [size], TEST_FRACTION, SEED)
    keras.utils.set_random_seed(SEED)
    order = np.random.default_rng(SEED).permutation(len(data.search_indices))
    cut = int(len(order) * 0.85)
    x, y = INPUT_NORMALISATION.apply(data.search_images(size)), data.search_labels
    models: list[dict] = []
    started = time.monotonic()
    tuner = _tuner(data, size, started + seconds, workdir, models)
    tuner.search(x[order[:cut]], y[order[:cut]], validation_data=(x[order[cut:]], y[order[cut:]]),
                 batch_size=32, verbose=0)
    return {"method": "kerastuner", "data": str(data_dir), "size": size, "budget_seconds": seconds,
            "wall_seconds": round(time.monotonic() - started, 1), "models": models}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kerastuner", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="class-per-folder images (e.g. cache/photos/textures)")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--work", type=Path, default=Path("cache/bench/kerastuner"))
    args = parser.parse_args(argv)
    if not args.data.is_dir() or args.minutes <= 0 or args.size < MIN_IMAGE_SIZE:
        print(f"error: --data {args.data} must be a folder (python -m bench.photo_sets builds them), --minutes "
              f"{args.minutes} positive and --size {args.size} at least {MIN_IMAGE_SIZE}", file=sys.stderr)
        return 2
    result = run(args.data, args.size, args.minutes * 60, args.work / args.data.name)
    path = args.results / f"photos-{args.data.name}-kerastuner.json"
    args.results.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".partial").write_text(json.dumps(result, indent=1) + "\n")
    path.with_suffix(".partial").replace(path)
    print(f"{len(result['models'])} models in {result['wall_seconds']} s; saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
