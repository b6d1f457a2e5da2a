"""A data folder made ready for a study: scanned, fingerprinted, cached at every size, split."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from objectives.dataset import ImageFolder, scan_image_folder
from objectives.size_cache import Progress, SizeCache
from objectives.splits import holdout_split, stratified_folds


@dataclass
class PreparedData:
    folder: ImageFolder
    cache: SizeCache
    search_indices: np.ndarray  # the images the search may use
    test_indices: np.ndarray  # held out: only the export step ever reads them

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.folder.class_names

    @property
    def search_labels(self) -> np.ndarray:
        return self.folder.labels[self.search_indices]

    @property
    def test_files(self) -> list[str]:
        return [self.folder.files[i].as_posix() for i in self.test_indices]

    def search_images(self, size: int) -> np.ndarray:
        return self._loaded(size)[self.search_indices]

    def test_images(self, size: int) -> np.ndarray:
        return self._loaded(size)[self.test_indices]

    def folds(self, count: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
        return stratified_folds(self.search_labels, self.class_names, count, seed)

    def _loaded(self, size: int) -> np.ndarray:
        return self._arrays.setdefault(size, self.cache.load(size))

    @cached_property
    def _arrays(self) -> dict[int, np.ndarray]:
        return {}


def prepare(data_dir: Path, cache_root: Path, sizes: list[int], test_fraction: float, seed: int,
            progress: Progress | None = None, fingerprint: str | None = None,
            exclude: Collection[str] = ()) -> PreparedData:
    """Scan ``data_dir`` (leaving out ``exclude``: unreadable images the user chose to skip), build the
    missing sizes once, and split off the stratified test set."""
    folder = scan_image_folder(data_dir, exclude)
    cache = SizeCache(cache_root, folder, fingerprint)
    cache.build(sizes, progress)
    search, test = holdout_split(folder.labels, folder.class_names, test_fraction, seed)
    return PreparedData(folder, cache, search, test)
