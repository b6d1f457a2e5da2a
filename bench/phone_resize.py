"""Keras, LiteRT and MediaPipe on held-out originals, for a model trained on each resize (BENCHMARKS.md).

For three options -- training on the former resize (Pillow's antialiased bilinear), on the current one
(MediaPipe's own, objectives.data.preprocessing.resize), or on both (each search image twice) -- one fixed small
plain CNN is trained (seeds 0, 1, 2) on the search images resized that way, converted to float32 and int8
TFLite with metadata, and measured on the held-out test images: Keras and
LiteRT on the test images resized the way the service checks them (Pillow for the former option, MediaPipe's
for the others), MediaPipe's ImageClassifier on the original files.

    .venv/bin/python -m bench.phone_resize fashion   # 4 Fashion-MNIST classes, 28 px originals, 14 px model
    .venv/bin/python -m bench.phone_resize photos    # 512x384 crops of 8 photographs, 50 px model
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
from PIL import Image

from bench.fashion_mnist import fashion_folder
from export.phones.mediapipe_tasks import classify
from objectives.config import ArchitectureConfig, TrainingConfig, TrialConfig
from objectives.data.dataset import scan_image_folder
from objectives.data.preprocessing import decode_rgb, resize
from objectives.data.splits import holdout_split
from objectives.tflite.convert import to_float32, to_int8
from objectives.tflite.metadata import ModelDescription, with_metadata, write_labels
from objectives.tflite.verify import LiteRTClassifier
from objectives.training.cross_validation import compiled_model, fit, predict, steps_per_epoch

PHOTOS = Path("/usr/share/wallpapers")  # Debian's plasma-workspace-wallpapers: photographs of 2560x1600 and up
PHOTO_CLASSES = ("BytheWater", "ColdRipple", "ColorfulCups", "EveningGlow", "FallenLeaf", "Grey", "OneStandsOut",
                 "Path")
Resize = Callable[[Image.Image, int], np.ndarray]
PILLOW: Resize = lambda image, size: np.asarray(image.resize((size, size), Image.Resampling.BILINEAR))
# option -> (the resizes the training images go through, the resize Keras and LiteRT are checked with)
OPTIONS: dict[str, tuple[tuple[Resize, ...], Resize]] = {
    "pillow bilinear (former)": ((PILLOW,), PILLOW),
    "mediapipe's (current)": ((resize,), resize),
    "both (robust)": ((PILLOW, resize), resize),
}
SEEDS = (0, 1, 2)


def photo_folder(root: Path, per_class: int = 70, seed: int = 0) -> Path:
    """One class per photograph: crops at its own resolution (never resampled), 512x384, 384x512 or 448x448."""
    rng = np.random.default_rng(seed)
    for name in PHOTO_CLASSES:
        photo = max((decode_rgb(p) for p in (PHOTOS / name / "contents" / "images").glob("*.jpg")),
                    key=lambda image: image.width)
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            width, height = [(512, 384), (384, 512), (448, 448)][i % 3]
            left, top = rng.integers(0, photo.width - width), rng.integers(0, photo.height - height)
            photo.crop((left, top, left + width, top + height)).save(root / name / f"{i:03d}.jpg", quality=92)
    return root


def measure(data: Path, size: int, architecture: ArchitectureConfig, epochs: int, work: Path) -> None:
    """One line per option and seed: Keras, LiteRT float32 / int8, MediaPipe float32 / int8 on the held-out
    originals."""
    folder = scan_image_folder(data)
    search, test = holdout_split(folder.labels, folder.class_names, 0.3, 0)
    names = list(folder.class_names)
    truth = [names[i] for i in folder.labels[test]]
    originals = [folder.root / folder.files[i] for i in test]
    print(f"{data}: {len(search)} search images, {len(test)} held-out originals, {size} px model")
    resized = {method: np.stack([method(decode_rgb(folder.root / f), size) for f in folder.files]).astype(np.uint8)
               for method in (PILLOW, resize)}
    for (label, (trained_on, checked_with)), seed in itertools.product(OPTIONS.items(), SEEDS):
        train_images = np.concatenate([resized[method][search] for method in trained_on])
        train_labels = np.concatenate([folder.labels[search]] * len(trained_on))
        config = TrialConfig(size, 1, architecture,
                             TrainingConfig(epochs=epochs, folds=2, learning_rate=0.01, seed=seed))
        keras.utils.set_random_seed(seed)
        model = compiled_model(config, len(names), steps_per_epoch([len(train_labels)], 32))
        fit(model, config, train_images, train_labels)
        images = resized[checked_with]
        keras_accuracy = float(np.mean(np.argmax(predict(model, images[test]), axis=1) == folder.labels[test]))
        labels = write_labels(work / "labels.txt", names)
        about = ModelDescription("bench", "1", label, "bench")
        files = {"float32": work / "f.tflite", "int8": work / "q.tflite"}
        files["float32"].write_bytes(with_metadata(to_float32(model), about, size, labels))
        files["int8"].write_bytes(with_metadata(to_int8(model, images[search], seed), about, size, labels))
        keras.backend.clear_session()
        litert = {v: float(np.mean(np.array(LiteRTClassifier(p).predicted_labels(images[test])) == truth))
                  for v, p in files.items()}
        seen = classify(list(files.values()), originals)
        mediapipe = {v: float(np.mean(np.array(seen[p]) == truth)) for v, p in files.items()}
        print(f"  {label:24s} seed {seed}  Keras {keras_accuracy:.3f}  LiteRT {litert['float32']:.3f} / "
              f"{litert['int8']:.3f}"
              f"  MediaPipe {mediapipe['float32']:.3f} / {mediapipe['int8']:.3f}  (float32 / int8)", flush=True)


def main(which: str) -> None:
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        if which == "fashion":
            full = fashion_folder(root / "cache", per_class=250)
            for extra in sorted(p for p in full.iterdir() if p.is_dir())[4:]:
                for image in extra.iterdir():
                    image.unlink()
                extra.rmdir()
            measure(full, 14, ArchitectureConfig("plain", (8,), (16,)), 20, root)
        else:
            measure(photo_folder(root / "photos"), 50, ArchitectureConfig("plain", (8, 16), (16,)), 20, root)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "fashion")
