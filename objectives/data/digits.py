"""The bundled default data: scikit-learn's handwritten digits, written once as PNG class folders.

Real images (1,797 scans of 10 digits, 8x8 greyscale) that ship inside the scikit-learn wheel, so
``make study`` works offline with no argument and exercises the same folder loader users rely on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def digits_folder(cache_root: Path) -> Path:
    """The folder of digit PNGs under ``cache_root``, written on first use (atomically, via a marker)."""
    root = Path(cache_root) / "datasets" / "digits"
    marker = root / ".complete"
    if marker.exists():
        return root
    from sklearn.datasets import load_digits

    digits = load_digits()
    for number, (image, label) in enumerate(zip(digits.images, digits.target)):
        class_dir = root / str(label)
        class_dir.mkdir(parents=True, exist_ok=True)
        pixels = np.clip(image / 16.0 * 255.0, 0, 255).astype(np.uint8)
        Image.fromarray(pixels, mode="L").save(class_dir / f"digit_{number:04d}.png")
    marker.write_text("written from sklearn.datasets.load_digits\n")
    return root
