"""What a data folder may hold, decided from the path alone, before a byte of it is read.

Each rule answers a way a hostile or careless folder went wrong: ``--data /`` walked the whole file
system silently; a FIFO named ``y.png`` hung the check (opening it waits for a writer forever); a class
folder named with a newline or a single space passed, trained for minutes, then broke the export
(labels.txt holds one name per line); a file symlink to somewhere outside the data folder was trained
on without a word.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from objectives.errors import DataError
from objectives.quoting import quoted

SYSTEM_ROOTS = ("/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/opt", "/proc", "/root", "/run",
                "/sbin", "/srv", "/sys", "/usr", "/var")
MAX_FILES = 1_000_000  # every image is decoded by the check: a million already takes hours on 2 cores
PROGRESS_EVERY = 10_000
CACHE_ROOT = Path("cache")  # resized images, per data fingerprint and size, shared by studies and exports


def max_files() -> int:
    """The most files a data folder may hold (``SEARCH_MAX_FILES`` raises or lowers it)."""
    value = os.environ.get("SEARCH_MAX_FILES", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else MAX_FILES


def system_root_problem(root: Path) -> str | None:
    """Why ``root`` is a system folder or the home folder rather than a data set, or None."""
    resolved = root.resolve()
    if str(resolved) in SYSTEM_ROOTS or resolved == Path.home().resolve():
        return (f"data folder {root} is a system folder ({resolved}), not an image set; pass the folder that holds "
                "one sub-folder per class")
    return None


def check_root(root: Path) -> None:
    if not root.is_dir():
        raise DataError(f"data folder {root} does not exist or is not a folder; "
                        "pass DATA=<folder with one sub-folder per class>")


def check_data_root(root: Path) -> None:
    """Refuse a missing or system data folder before a study's storage is even opened."""
    check_root(root)
    refused = system_root_problem(root)
    if refused:
        raise DataError(refused)


def class_name_problem(name: str) -> str | None:
    """Why a folder name cannot be a class name (one line of labels.txt, readable on a phone), or None."""
    if not name.strip():
        return f"class folder {quoted(name)} is named with whitespace only; rename it to the class's name"
    if any(ch in name for ch in "\n\r") or not name.isprintable():
        return (f"class folder {quoted(name)} has a line break or control character in its name (labels.txt holds "
                "one class per line); rename it")
    if name != name.strip():
        return f"class folder {quoted(name)} starts or ends with whitespace; rename it without"
    return None


def file_problem(path: Path, root: Path) -> str | None:
    """Why a file with an image extension is left out (not a regular file, or a link out of the data), or None."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # a broken link: the check names it when it fails to open
    if not stat.S_ISREG(mode):
        return "not a regular file (a FIFO, socket or device); left out"
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root.resolve()):
            return f"symlink to {quoted(str(target))} outside the data folder; not used (copy the file in instead)"
    return None
