"""A data folder made ready for a study: scanned, fingerprinted, cached at every size, split."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from objectives.data.dataset import ImageFolder, data_changes, scan_image_folder
from objectives.data.size_cache import Progress, SizeCache, recorded_files
from objectives.data.splits import holdout_split, stratified_folds
from objectives.errors import DataError


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
            progress: Progress | None = None, expected: str | None = None,
            exclude: Collection[str] = ()) -> PreparedData:
    """Scan ``data_dir`` (leaving out ``exclude``: unreadable images the user chose to skip), build the
    missing sizes once, and split off the stratified test set. With ``expected`` (the study's recorded
    fingerprint) the files found must hash to it before anything is built or trained: a worker started
    after the data was checked must not train on files added, removed or moved to another class since."""
    folder = scan_image_folder(data_dir, exclude)
    cache = SizeCache(cache_root, folder)
    if expected is not None and cache.fingerprint != expected:
        raise DataError(f"the images in {data_dir} changed since the study checked them ("
                        f"{data_changes(recorded_files(cache_root, expected), folder.relative_names())}); no trial "
                        "trains on them: restore the files, or run a new study (STUDY=new-name) on the new data")
    cache.build(sizes, progress)
    search, test = holdout_split(folder.labels, folder.class_names, test_fraction, seed)
    return PreparedData(folder, cache, search, test)
