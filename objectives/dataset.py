"""An image folder with one sub-folder per class: the layout Keras and the original pipeline use."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from objectives.preprocessing import IMAGE_EXTENSIONS


class DataError(ValueError):
    """The data folder cannot be used as it is; the message says which file or class and what to do."""


@dataclass(frozen=True)
class ImageFolder:
    root: Path
    class_names: tuple[str, ...]  # sorted folder names: the model's output order
    files: tuple[Path, ...]  # relative to root
    labels: np.ndarray  # int index into class_names, one per file

    def relative_names(self) -> list[str]:
        return [f.as_posix() for f in self.files]

    def fingerprint(self) -> str:
        """Content hash of every file and its class: the key of the size cache and of the study's data."""
        digest = hashlib.sha256()
        for relative in self.files:
            digest.update(relative.as_posix().encode())
            digest.update(hashlib.sha256((self.root / relative).read_bytes()).digest())
        return digest.hexdigest()


def scan_image_folder(root: Path) -> ImageFolder:
    """List the classes and image files of ``root`` in a fixed order (sorted names)."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"data folder {root} does not exist or is not a folder; pass DATA=<folder with one sub-folder per class>")
    class_dirs = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)
    if not class_dirs:
        raise DataError(f"{root} has no class sub-folders; put the images of each class in a folder named for the class")
    files: list[Path] = []
    labels: list[int] = []
    for index, class_dir in enumerate(class_dirs):
        members = sorted(
            p for p in class_dir.rglob("*")
            if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS
            and not any(part.startswith(".") for part in p.relative_to(class_dir).parts)
        )
        if not members:
            raise DataError(f"class folder {class_dir} holds no images ({', '.join(IMAGE_EXTENSIONS)}); add images or remove the folder")
        files.extend(p.relative_to(root) for p in members)
        labels.extend([index] * len(members))
    if len(class_dirs) < 2:
        raise DataError(f"{root} has a single class ({class_dirs[0].name}); a classifier needs at least two class folders")
    return ImageFolder(root, tuple(p.name for p in class_dirs), tuple(files), np.asarray(labels, dtype=np.int64))
