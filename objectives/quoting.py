"""User input quoted in an error message, never more than a line of it.

A message that prints a value's whole ``repr`` can be megabytes long (a YAML alias bomb expands to
millions of items); a person needs only its start to recognise it.
"""

from __future__ import annotations

import reprlib
from pathlib import PurePath

QUOTE_LIMIT = 80
PATH_LIMIT = 240  # a path or URL the user typed is shown whole, unless it is absurdly long

_short = reprlib.Repr()
_short.maxlevel, _short.maxlist, _short.maxdict, _short.maxtuple, _short.maxset = 3, 6, 4, 6, 6
_short.maxstring, _short.maxother, _short.maxlong = QUOTE_LIMIT, QUOTE_LIMIT, 40


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` cut at ``limit`` characters, without building the whole repr of a huge value first."""
    text = _short.repr(value)
    return text if len(text) <= limit else f"{text[:limit - 3]}..."


def capped(text: object, limit: int = QUOTE_LIMIT) -> str:
    """``str(text)`` cut at ``limit`` characters: a key or a name shown as written, never a page of it."""
    shown = str(text) if isinstance(text, (str, int, float, PurePath)) else quoted(text, limit)
    return shown if len(shown) <= limit else f"{shown[:limit - 3]}..."
