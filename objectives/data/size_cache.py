"""Step 1 of the recipe: every image size is a sub-dataset, resized once and kept on disk.

Arrays are uint8 ``.npy`` files keyed by the dataset's content fingerprint, so a trial or a fold only
memory-maps them; nothing is decoded twice, and a changed file gives a new key instead of stale data.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from objectives.data.dataset import ImageFolder
from objectives.data.preprocessing import RESIZE_METHOD, decode_rgb, resize
from objectives.errors import DataError
from objectives.machine.processes import is_alive

Progress = Callable[[int, int], None]


PARTIAL = re.compile(r"\.(\d+)x\1\.(?P<pid>\d+)\.npy")  # .32x32.<pid>.npy: a size being written by <pid>


def remove_dead_partials(sizes_root: Path) -> list[Path]:
    """Delete half-written sizes whose writer is gone (a kill while resizing left hundreds of MB each);
    a live process's partial, another worker resizing now, is kept."""
    removed = []
    for partial in sizes_root.glob("*/.*.npy"):
        found = PARTIAL.fullmatch(partial.name)
        if found and not is_alive(int(found["pid"])):
            partial.unlink(missing_ok=True)
            removed.append(partial)
    return removed


class SizeCache:
    """The cached sub-datasets of one image folder."""

    def __init__(self, cache_root: Path, folder: ImageFolder, fingerprint: str | None = None):
        self.folder = folder
        self.fingerprint = fingerprint or folder.fingerprint()
        self.directory = cache_directory(cache_root, self.fingerprint)

    def path(self, size: int) -> Path:
        return self.directory / f"{size}x{size}.npy"

    def missing(self, sizes: Iterable[int]) -> list[int]:
        return sorted({s for s in sizes if not self.path(s).exists()})

    def build(self, sizes: Iterable[int], progress: Progress | None = None) -> list[int]:
        """Write every missing size in one pass over the files (decoding is the slow part); return them."""
        todo = self.missing(sizes)
        if not todo:
            return []
        self.directory.mkdir(parents=True, exist_ok=True)
        remove_dead_partials(self.directory.parent)
        count = len(self.folder.files)
        partial = {s: self.directory / f".{s}x{s}.{os.getpid()}.npy" for s in todo}
        arrays = {s: np.lib.format.open_memmap(partial[s], mode="w+", dtype=np.uint8, shape=(count, s, s, 3))
                  for s in todo}
        for i, relative in enumerate(self.folder.files):
            try:
                image = decode_rgb(self.folder.root / relative)
            except Exception as error:  # Pillow raises many types; all mean "this file is not a usable image"
                for p in partial.values():
                    p.unlink(missing_ok=True)
                raise DataError(f"cannot read image {self.folder.root / relative}: {error}; fix or remove the file "
                                "(python -m search check-data DIR lists every problem)") from error
            for s in todo:
                arrays[s][i] = resize(image, s)
            if progress:
                progress(i + 1, count)
        for s in todo:
            arrays[s].flush()
            del arrays[s]
            os.replace(partial[s], self.path(s))  # atomic: an interrupted build leaves no half-written size
        self._write_index()
        return todo

    def load(self, size: int) -> np.ndarray:
        """The uint8 images of one size, memory-mapped (N x size x size x 3)."""
        if not self.path(size).exists():
            self.build([size])
        return np.load(self.path(size), mmap_mode="r")

    def _write_index(self) -> None:
        index = {"root": str(self.folder.root), "class_names": list(self.folder.class_names),
                 "files": self.folder.relative_names()}
        (self.directory / "index.json").write_text(json.dumps(index))


def cache_directory(cache_root: Path, fingerprint: str) -> Path:
    """Where the sizes of the data with ``fingerprint`` are kept; a new resize method gets new arrays."""
    return Path(cache_root) / "sizes" / f"{fingerprint[:20]}-{RESIZE_METHOD}"


def recorded_files(cache_root: Path, fingerprint: str) -> list[str] | None:
    """The file list the cache of ``fingerprint`` was built from (its index), None if there is no such cache."""
    index = cache_directory(cache_root, fingerprint) / "index.json"
    try:
        return list(json.loads(index.read_text())["files"])
    except (OSError, ValueError, KeyError):
        return None
