"""Errors that are the user's to fix: printed as one clear line, never as a traceback."""

from __future__ import annotations

from objectives.dataset import DataError
from spaces.space import SpaceError


class StudyError(ValueError):
    """The study cannot be run or read as asked; the message says what to do instead."""


USER_ERRORS: tuple[type[Exception], ...] = (DataError, SpaceError, StudyError)
