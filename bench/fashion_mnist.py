"""Fashion-MNIST (Debian's ``dataset-fashion-mnist``) as a class-per-folder PNG set, a stratified subset.

Written once into the cache like the bundled digits, so the benchmark runs through the same folder
loader, data check and size cache as a user's study.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
from PIL import Image

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
CLASS_NAMES = ("t-shirt_top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle_boot")
INSTALL_HINT = "apt-get install -y dataset-fashion-mnist (make bench does this when run as root)"


class FashionMissing(FileNotFoundError):
    """The Debian package is not installed."""


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (gzipped or not) as a uint8 array: the format MNIST-style data sets are shipped in."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        data = handle.read()
    if data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion_folder(cache_root: Path, per_class: int, seed: int = 0, source: Path = FASHION_DIR) -> Path:
    """``per_class`` training images of each class, drawn with ``seed``, as PNGs under ``cache_root``."""
    root = Path(cache_root) / "datasets" / f"fashion-mnist-{per_class}-seed{seed}"
    marker = root / ".complete"
    if marker.exists():
        return root
    images_path, labels_path = source / "train-images-idx3-ubyte.gz", source / "train-labels-idx1-ubyte.gz"
    if not images_path.exists() or not labels_path.exists():
        raise FashionMissing(f"Fashion-MNIST is not in {source}; install it with: {INSTALL_HINT}")
    images, labels = read_idx(images_path), read_idx(labels_path)
    rng = np.random.default_rng(seed)
    for label, name in enumerate(CLASS_NAMES):
        chosen = np.sort(rng.choice(np.flatnonzero(labels == label), size=per_class, replace=False))
        (root / name).mkdir(parents=True, exist_ok=True)
        for index in chosen:
            Image.fromarray(images[index], mode="L").save(root / name / f"{name}_{index:05d}.png")
    marker.write_text(f"{per_class} per class from {images_path}, seed {seed}\n")
    return root
