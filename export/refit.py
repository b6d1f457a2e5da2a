"""Step 1 of the export: a front trial's configuration trained again on all the study's non-test images.

Cross-validation kept no model (each fold's was reset); the phone model is the same configuration
trained on every search image, with the same epochs, generator and seed, on the very data the study
recorded -- proved by its content fingerprint, so a changed folder cannot slip in.
"""

from __future__ import annotations

from pathlib import Path

import keras

from objectives.config import TrialConfig
from objectives.data.prepared import PreparedData, prepare
from objectives.errors import DataError
from objectives.training.cross_validation import compiled_model, fit, steps_per_epoch
from search.study import StudyRecord


def study_data(study_name: str, record: StudyRecord, cache_root: Path, sizes: list[int]) -> PreparedData:
    """The study's recorded data folder, split exactly as during the search, at ``sizes``."""
    data_dir = Path(record.data_dir)
    if not data_dir.is_dir():
        raise DataError(f"study {study_name!r} was run on {data_dir}, which no longer exists; "
                         "restore that folder (same files) to export its models")
    data = prepare(data_dir, cache_root, sizes, record.test_fraction, record.training_config.seed)
    if data.cache.fingerprint != record.fingerprint:
        raise DataError(f"the files in {data_dir} changed since study {study_name!r} ran (content fingerprint "
                         "differs); restore them, or run a new study (STUDY=new-name) on the new data")
    if list(data.class_names) != list(record.class_names) or data.test_files != list(record.test_files):
        raise DataError(f"the class order or test split of {data_dir} differs from study {study_name!r}'s record; "
                         "run a new study on this data")
    return data


def refit(config: TrialConfig, data: PreparedData) -> keras.Model:
    """A new model for ``config`` trained on every search (non-test) image of ``data``."""
    steps = steps_per_epoch([len(data.search_indices)], config.training.batch_size)
    model = compiled_model(config, len(data.class_names), steps)
    fit(model, config, data.search_images(config.image_size), data.search_labels)
    return model
