"""A folder a reader takes as complete is only ever complete: it is built beside its place and swapped in.

``make promote`` used to delete the old build and write the new one in place; a kill between the int8
file and the model card left a build that looked complete (both models, labels, no card) and the good
build gone. The same held for a trial's export folder. Here the new folder is written as
``.<name>.partial-<pid>`` next to the old one, then exchanged with it in one ``renameat2(RENAME_EXCHANGE)``
call (Linux; two renames elsewhere), then the old one is removed. Leftovers of killed processes are
removed by the next writer.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from objectives.machine.processes import is_alive

AT_FDCWD, RENAME_EXCHANGE = -100, 2
LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?:partial|old)-(?P<pid>\d+)")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically; False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        return libc.renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0
    except (AttributeError, OSError):
        return False


def _swap_in(staging: Path, final: Path) -> None:
    if not final.exists():
        os.rename(staging, final)
        return
    if _exchange(staging, final):  # staging now holds the old folder
        shutil.rmtree(staging)
        return
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    os.rename(final, old)
    os.rename(staging, final)
    shutil.rmtree(old)


def remove_leftovers(parent: Path, name: str) -> None:
    """Partial or old copies of ``parent/name`` left by processes that are gone."""
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        found = LEFTOVER.fullmatch(entry.name)
        if found and found["name"] == name and not is_alive(int(found["pid"])):
            shutil.rmtree(entry, ignore_errors=True)


@contextmanager
def written_atomically(final: Path) -> Iterator[Path]:
    """Yield an empty folder to fill; on success it replaces ``final`` whole, on any failure it is removed
    and ``final`` (if it was there) is left as it was."""
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(final.parent, final.name)
    staging = final.with_name(f".{final.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_in(staging, final)
