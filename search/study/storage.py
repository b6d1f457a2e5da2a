"""Optuna storages: SQLite by default, any SQLAlchemy URL (PostgreSQL for several workers), or a journal file.

RDB storages get heartbeats: a worker that dies (SIGKILL, power loss) stops beating, and after the grace
period the next worker to start a trial marks the dead trial FAIL and re-runs its configuration as a new
trial (up to ``MAX_RETRY`` times). ``SEARCH_HEARTBEAT_SECONDS`` / ``SEARCH_GRACE_SECONDS`` change the timing.

A journal file (``journal:///path/to/study.log`` or any path ending in ``.log``) shares a study over a
shared file system without a database server; Optuna has no heartbeat for it, so a killed worker's
trial stays RUNNING (and counts towards the budget) instead of being retried.
"""

from __future__ import annotations

import copy
import os
import re
import warnings
from pathlib import Path

import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.storages.journal import JournalFileBackend, JournalStorage
from optuna.trial import FrozenTrial, TrialState

from objectives.errors import SettingError, StorageError, StudyError
from objectives.quoting import PATH_LIMIT, capped, quoted
from search.study.files import os_reason, prepare_file
from search.study.trial_record import TrialAttr

DEFAULT_STORAGE = "sqlite:///studies/optuna.db"
HEARTBEAT_SECONDS = 30
GRACE_SECONDS = 120  # a trial silent this long belonged to a dead worker: it is failed and re-run
MAX_RETRY = 2  # a configuration that kills its worker every time is not retried forever
# Fails nothing itself: given a FAIL trial, queues its configuration again as a retry of it. The heartbeat,
# the start-up check for dead local processes and Ctrl-C all re-queue a lost trial through this one object.


class _Requeue(RetryHeartbeatStaleTrialCallback):
    """Optuna's retry, whose copy never carries the interruption of the trial it replaces: the retry is a
    fresh run of the same configuration."""

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if TrialAttr.INTERRUPTED in trial.user_attrs:
            trial = copy.copy(trial)
            trial.user_attrs = {k: v for k, v in trial.user_attrs.items() if k != TrialAttr.INTERRUPTED}
        super().__call__(study, trial)


with warnings.catch_warnings():  # Optuna flags the class experimental at construction, i.e. at import time here
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
    REQUEUE = _Requeue(max_retry=MAX_RETRY)
JOURNAL_SCHEME = "journal:///"
SQLITE_LOCK_SECONDS = 60
# Letters and digits of any script (`étude`, `研究`: Optuna and MLflow take them), '.', '_' and '-'; the first a
# letter or digit. fullmatch: "$" would let "abc\n" through.
STUDY_NAME = re.compile(r"[^\W_][\w.-]{0,99}")
PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")  # user:password@ in any URL, also inside a message


def _seconds(variable: str, default: int) -> int:
    value = os.environ.get(variable, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SettingError(f"{variable}={value!r} is not a whole number of seconds >= 1; unset it or fix it")
    return int(value)


def heartbeat_timing() -> tuple[int, int]:
    """(heartbeat interval, grace period) in seconds; a grace shorter than two beats would fail live trials."""
    interval = _seconds("SEARCH_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)
    grace = _seconds("SEARCH_GRACE_SECONDS", max(GRACE_SECONDS, 2 * interval))
    if grace < 2 * interval:
        raise SettingError(f"SEARCH_GRACE_SECONDS={grace} must be at least twice SEARCH_HEARTBEAT_SECONDS={interval}, "
                         "or live trials would be failed as dead")
    return interval, grace


def journal_path(url: str) -> Path | None:
    """The journal file a storage URL names, or None for a database URL."""
    if url.startswith(JOURNAL_SCHEME):
        return Path(url.removeprefix(JOURNAL_SCHEME)).expanduser()
    if "://" not in url and url.endswith(".log"):
        return Path(url).expanduser()
    return None


def masked(text: str) -> str:
    """``text`` with the password of every ``scheme://user:password@host`` in it shown as ``***``."""
    return PASSWORD_IN_URL.sub(r"\1***@", text)


def shown(url: str) -> str:
    """The URL as printed: a database password must not end up in terminals and logs (even a URL that
    does not parse is masked: its parse error would otherwise quote it whole)."""
    if journal_path(url) is not None:
        return url
    try:
        from sqlalchemy.engine import make_url

        return masked(make_url(url).render_as_string(hide_password=True))
    except Exception:  # not a URL SQLAlchemy can parse: open_storage will say what is wrong
        return masked(url)


def sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (not ``:memory:``), else None."""
    if not url.startswith("sqlite:///"):
        return None
    name = url.removeprefix("sqlite:///").split("?")[0]
    return None if name in ("", ":memory:") else Path(name).expanduser()


def _prepare_journal(url: str, journal: Path) -> None:
    """The journal's folder made, and an existing file checked to be a journal (JSON lines), not a database."""
    try:
        journal.parent.mkdir(parents=True, exist_ok=True)
        first = journal.open("rb").read(1) if journal.exists() else b""
    except OSError as why:
        raise StorageError(f"--storage (STORAGE) {capped(shown(url), PATH_LIMIT)}: a file in a writable folder must "
                           f"hold, but {capped(journal, PATH_LIMIT)} cannot be used ({os_reason(why)}); "
                         "pass a path in a folder you can write") from None
    if first not in (b"", b"{"):
        raise StorageError(f"--storage (STORAGE) {capped(shown(url), PATH_LIMIT)}: an Optuna journal (JSON lines) or "
                           f"a new file must hold, but {capped(journal, PATH_LIMIT)} is something else; pass another "
                           "file, it is left untouched")


def open_storage(url: str) -> optuna.storages.BaseStorage:
    """Open (creating the SQLite or journal folder if needed); RDB storages with heartbeats."""
    journal = journal_path(url)
    if journal is not None:
        _prepare_journal(url, journal)
        try:
            return JournalStorage(JournalFileBackend(str(journal)))
        except OSError as error:
            raise StorageError(f"cannot open journal file {journal}: {error}; check the path and its permissions"
                               ) from error
    database = sqlite_file(url)
    if database is not None:
        prepare_file("--storage (STORAGE)", shown(url), database, "Optuna", StorageError)
    interval, grace = heartbeat_timing()
    try:
        return RDBStorage(
            url,
            # Several local processes share one SQLite file (run --jobs): a writer waits for another's lock
            # instead of failing at the default 5 s, which a busy machine can exceed.
            engine_kwargs={"connect_args": {"timeout": SQLITE_LOCK_SECONDS}} if url.startswith("sqlite") else None,
            heartbeat_interval=interval,
            grace_period=grace,
            heartbeat_stale_trial_callback=REQUEUE,
        )
    except Exception as error:  # SQLAlchemy and drivers raise many types; all mean "cannot open it"
        raise StorageError(f"cannot open storage {capped(shown(url), PATH_LIMIT)!r}: {error.__class__.__name__}: "
                         f"{capped(masked(' '.join(str(error).split())), 200)}; check the URL "
                         "(e.g. sqlite:///studies/optuna.db, postgresql+psycopg2://user:pw@host/db or "
                         "journal:///path/study.log)") from error


def open_study(name: str, storage_url: str) -> optuna.Study:
    storage = open_storage(storage_url)
    try:
        return optuna.load_study(study_name=name, storage=storage)
    except KeyError:
        names = optuna.study.get_all_study_names(storage)
        there = ", ".join(names) or "none"
        raise StudyError(f"no study {name!r} in {shown(storage_url)}; studies there: {there}") from None


def check_study_name(name: str) -> str:
    """Study names become folder names (builds, reports): refuse anything that could leave those folders."""
    if not STUDY_NAME.fullmatch(name) or ".." in name:
        raise StudyError(f"study name {quoted(name)} is not allowed: use letters (of any script), digits, '.', '_' "
                         "and '-' (no '/', no '..', at most 100 characters)")
    return name


# Optuna's public API has no call for these: the trial's storage id is private. This module is the one place
# that reaches past the API, so an Optuna upgrade that changes it breaks here and nowhere else.
def set_system_attr(trial: optuna.Trial, key: str, value: object) -> None:
    """A system attribute of a running trial (``optuna.Trial`` offers only user attributes)."""
    trial.storage.set_trial_system_attr(trial._trial_id, key, value)


def live_trial(study: optuna.Study, trial: FrozenTrial) -> optuna.Trial:
    """The writable trial behind a finished one, for writers that take only a ``Trial`` (optuna-dashboard notes)."""
    return optuna.trial.Trial(study, trial._trial_id)


def fail_running(study: optuna.Study, trial: FrozenTrial, reason: str) -> FrozenTrial | None:
    """Fail a RUNNING trial of a dead process, recording why; None when another process finished it first."""
    storage = study._storage
    try:
        storage.set_trial_user_attr(trial._trial_id, TrialAttr.INTERRUPTED, reason)
        if not storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL):
            return None
    except UpdateFinishedTrialError:  # another worker starting at the same time got there first
        return None
    return storage.get_trial(trial._trial_id)
