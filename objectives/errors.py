"""Every error type of the service, in one place, in two kinds.

``UserError``: something the user gave cannot work (a data folder, a space file, a study name, a storage
URL, a setting, the MLflow store, an export). The command line prints its message as one line and exits 2,
before anything is created or trained where it can. A message says what must hold, what was given, then
what to do: "--folds: 2 <= value <= 20 must hold (a whole number), but got 1; pass ...".

``TrialFailure``: one trial cannot be built or trained (too large for memory, too small an image for its
blocks). The trial is recorded as FAIL with the message and the study goes on.

They live in the lowest package, so every package can raise them without importing upwards. Both derive
from ``ValueError`` as their ancestors here did, so callers that caught ``ValueError`` still do.
"""

from __future__ import annotations


class ServiceError(ValueError):
    """Any error this service raises on purpose, with a message meant for people."""


class UserError(ServiceError):
    """The user's to fix; printed as one line (``error: ...``) with exit code 2, never as a traceback."""


class DataError(UserError):
    """The data folder cannot be used as it is: the message names the file or class and what to do."""


class SpaceError(UserError):
    """The space file is wrong: the message names the file, the key and what is allowed."""


class StudyError(UserError):
    """The study cannot be run or read as asked (missing, made with other settings, no such trial)."""


class StorageError(UserError):
    """The Optuna storage URL or file cannot be opened or used."""


class SettingError(UserError):
    """A command-line option or environment variable is out of range or contradicts another."""


class TrackingError(UserError):
    """MLflow could not be written; the Optuna storage still holds everything (``sync-mlflow`` repairs)."""


class ExportError(UserError):
    """A trial cannot be exported or promoted as asked (labels, metadata, a model that does not match)."""


class TaskLibraryError(ExportError):
    """The Task Library's environment is missing or could not classify."""


class MediaPipeError(ExportError):
    """MediaPipe's environment is missing, or its ImageClassifier refused or could not classify a model."""


class TrialFailure(ServiceError):
    """One trial cannot be built or trained; it fails and the study goes on."""


class InfeasibleConfiguration(TrialFailure):
    """This configuration cannot be built or trained here (the message says why)."""


class TimeUp(ServiceError):
    """The study's wall-time budget ran out during a trial: the trial stops where it is and the study ends
    (the runner queues the trial again, so a resumed study runs it in full)."""
