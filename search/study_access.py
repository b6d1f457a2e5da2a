"""Opening an existing study by name, with a clear error when it is not there."""

from __future__ import annotations

import optuna

from search.errors import StudyError
from search.storage import open_storage, shown


def open_study(name: str, storage_url: str) -> optuna.Study:
    storage = open_storage(storage_url)
    try:
        return optuna.load_study(study_name=name, storage=storage)
    except KeyError:
        names = optuna.study.get_all_study_names(storage)
        raise StudyError(f"no study {name!r} in {shown(storage_url)}; studies there: {', '.join(names) or 'none'}") from None
