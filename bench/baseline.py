"""The fixed-CNN baseline: one well-built small network, trained once with no search at all.

Three stride-2 3x3 conv + batch-norm + ReLU blocks, global average pooling, softmax; Adam 0.01 with cosine
decay, 30 epochs, batch 32. Trained on a set's search images and scored on its held-out test images, which
are exactly the ones a study holds out: the project's own loader, size cache and holdout split (test
fraction 0.15, seed 0, as ``search run`` defaults) and input normalisation. Widths (2, 4, 8) and (8, 16, 32)
give about 500 and 6,300 parameters (3 classes). This is the bar a study's front must dominate.

    python -m bench.baseline --data cache/photos/textures [--sizes 32 64 128] [--epochs 30]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from objectives.config import MIN_IMAGE_SIZE, TEST_FRACTION, TrainingConfig
from objectives.data.prepared import PreparedData, prepare
from objectives.data.preprocessing import INPUT_NORMALISATION

WIDTHS = {"small": (2, 4, 8), "large": (8, 16, 32)}
SIZES = (32, 64, 128)
SEED = TrainingConfig().seed  # with TEST_FRACTION: search run's defaults, so the held-out images are the study's
EPOCHS, BATCH, LEARNING_RATE = 30, 32, 0.01
RESULTS = Path("bench/results")


def build_model(size: int, classes: int, widths: tuple[int, ...]):
    """The fixed CNN: strided early downsampling, batch-norm and pooling keep parameters flat in ``size``."""
    import keras

    inputs = keras.Input((size, size, 3))
    x = inputs
    for filters in widths:
        x = keras.layers.Conv2D(filters, 3, strides=2, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(classes, activation="softmax")(x))


def train_and_score(data: PreparedData, size: int, widths: tuple[int, ...], epochs: int) -> dict:
    """Train once on every search image, score on the held-out ones; the wall time of the fit only."""
    import keras

    keras.utils.set_random_seed(SEED)
    model = build_model(size, len(data.class_names), widths)
    steps = epochs * int(np.ceil(len(data.search_indices) / BATCH))
    schedule = keras.optimizers.schedules.CosineDecay(LEARNING_RATE, steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy")
    x, y = INPUT_NORMALISATION.apply(data.search_images(size)), data.search_labels
    started = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=epochs, verbose=0)
    seconds = time.perf_counter() - started
    probabilities = model.predict(INPUT_NORMALISATION.apply(data.test_images(size)), verbose=0)
    accuracy = float(np.mean(probabilities.argmax(axis=1) == data.folder.labels[data.test_indices]))
    return {"size": size, "widths": list(widths), "params": int(model.count_params()),
            "test_accuracy": accuracy, "train_seconds": round(seconds, 2)}


def colour_only_accuracy(data: PreparedData, size: int = 32) -> float:
    """Held-out accuracy of a logistic regression on each image's mean colour: is colour alone enough?"""
    from sklearn.linear_model import LogisticRegression

    def mean_colour(images: np.ndarray) -> np.ndarray:
        return images.reshape(len(images), -1, 3).mean(axis=1) / 255.0

    model = LogisticRegression(max_iter=2000).fit(mean_colour(data.search_images(size)), data.search_labels)
    return float(model.score(mean_colour(data.test_images(size)), data.folder.labels[data.test_indices]))


def run(data_dir: Path, sizes: tuple[int, ...], epochs: int, cache_root: Path = Path("cache")) -> dict:
    """Every (size, width) of the baseline on one set, with the set's colour-only accuracy beside it."""
    data = prepare(data_dir, cache_root, sorted(set(sizes) | {32}), TEST_FRACTION, SEED)
    rows = [train_and_score(data, size, WIDTHS[width], epochs) | {"width": width}
            for size in sizes for width in WIDTHS]
    return {"method": "baseline", "data": str(data_dir), "classes": list(data.class_names),
            "search_images": len(data.search_indices), "test_images": len(data.test_indices),
            "epochs": epochs, "colour_only_test_accuracy": colour_only_accuracy(data), "models": rows}


def table(result: dict) -> str:
    lines = [f"{Path(result['data']).name}: {result['search_images']} search / {result['test_images']} test images,"
             f" colour-only logistic regression {result['colour_only_test_accuracy']:.3f}",
             f"{'size':>5} {'width':>6} {'params':>7} {'test acc':>9} {'train s':>8}"]
    lines += [f"{m['size']:>5} {m['width']:>6} {m['params']:>7,} {m['test_accuracy']:>9.3f} {m['train_seconds']:>8.1f}"
              for m in result["models"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="class-per-folder images (e.g. cache/photos/textures)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"error: --data {args.data} is not a folder; build the photo sets with: python -m bench.photo_sets",
              file=sys.stderr)
        return 2
    if args.epochs < 1 or min(args.sizes) < MIN_IMAGE_SIZE:
        print(f"error: --epochs {args.epochs} / --sizes {args.sizes}: need at least 1 epoch and sizes of "
              f"{MIN_IMAGE_SIZE} px or more",
              file=sys.stderr)
        return 2
    result = run(args.data, tuple(args.sizes), args.epochs)
    print(table(result))
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"photos-{args.data.name}-baseline.json"
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(result, indent=1) + "\n")
    partial.replace(path)
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
