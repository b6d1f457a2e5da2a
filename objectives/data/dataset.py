"""An image folder with one sub-folder per class: the layout Keras and the original pipeline use."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from objectives.data.paths import check_root, file_problem, max_files
from objectives.data.preprocessing import IMAGE_EXTENSIONS
from objectives.errors import DataError


@dataclass(frozen=True)
class ImageFolder:
    root: Path
    class_names: tuple[str, ...]  # sorted folder names: the model's output order
    files: tuple[Path, ...]  # relative to root
    labels: np.ndarray  # int index into class_names, one per file

    def relative_names(self) -> list[str]:
        return [f.as_posix() for f in self.files]

    def fingerprint(self) -> str:
        """Content hash of every file and its class: the key of the size cache and of the study's data."""
        digest = hashlib.sha256()
        for relative in self.files:
            digest.update(relative.as_posix().encode())
            digest.update(file_digest(self.root / relative))
        return digest.hexdigest()


@dataclass
class ClassListing:
    """What one class folder holds: candidate images, and everything left out with the reason."""

    images: list[Path] = field(default_factory=list)  # relative to the data root, sorted
    ignored: list[tuple[Path, str]] = field(default_factory=list)  # (relative path, why it was left out)


def file_digest(path: Path) -> bytes:
    """SHA-256 of a file's bytes: the fingerprint's unit, and how duplicate images are found."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.digest()


def data_changes(before: list[str] | None, after: list[str], shown: int = 3) -> str:
    """What differs between two listings of class/file names, in words: files moved to another class (same
    file name), added, removed; the same names means contents changed in place."""
    if before is None:
        return "the list of files checked is not in the cache to compare with"
    old, new = set(before) - set(after), set(after) - set(before)
    new_by_name = {Path(name).name: name for name in new}
    moved = {name: new_by_name[Path(name).name] for name in sorted(old) if Path(name).name in new_by_name}
    added, removed = sorted(new - set(moved.values())), sorted(old - set(moved))
    few = lambda names: ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")
    parts = [f"{len(moved)} moved to another class: " + few([f"{a} -> {b}" for a, b in moved.items()])] if moved else []
    parts += [f"{len(added)} added: {few(added)}"] if added else []
    parts += [f"{len(removed)} removed: {few(removed)}"] if removed else []
    return "; ".join(parts) or "same file names, changed contents"


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _is_loop(path: Path, root: Path) -> bool:
    """A folder that resolves to the data root or one of its parents would list the data inside itself."""
    resolved, top = path.resolve(), root.resolve()
    return resolved == top or resolved in top.parents


def class_folders(root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(class folders sorted by name, top-level entries left out with the reason)."""
    folders: list[Path] = []
    ignored: list[tuple[Path, str]] = []
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        name = Path(entry.name)
        if _is_hidden(entry.name):
            ignored.append((name, "hidden"))
        elif not entry.is_dir():
            ignored.append((name, "not inside a class folder"))
        elif entry.is_symlink() and _is_loop(entry, root):
            ignored.append((name, "symlink loop (points back at the data folder); not followed"))
        else:
            folders.append(entry)
    return folders, ignored


def list_class(root: Path, class_dir: Path) -> ClassListing:
    """Walk one class folder without following directory symlinks, so a symlink loop cannot recurse forever;
    stop at ``max_files()`` files."""
    listing, limit = ClassListing(), max_files()
    for current, dirs, files in os.walk(class_dir, followlinks=False):
        here = Path(current)
        for name in sorted(dirs):
            if _is_hidden(name):
                listing.ignored.append(((here / name).relative_to(root), "hidden folder"))
            elif (here / name).is_symlink():
                listing.ignored.append(((here / name).relative_to(root), "symlinked folder; not followed (copy the "
                                                                         "images instead)"))
        dirs[:] = sorted(d for d in dirs if not _is_hidden(d) and not (here / d).is_symlink())
        for name in files:
            relative = (here / name).relative_to(root)
            if _is_hidden(name):
                listing.ignored.append((relative, "hidden"))
            elif Path(name).suffix.lower() not in IMAGE_EXTENSIONS:
                listing.ignored.append((relative, f"not an image extension ({', '.join(IMAGE_EXTENSIONS)})"))
            elif (why := file_problem(here / name, root)) is not None:
                listing.ignored.append((relative, why))
            else:
                listing.images.append(relative)
            if len(listing.images) + len(listing.ignored) > limit:
                raise DataError(f"{class_dir}: at most {limit:,} files must hold, but it has more; pass a data folder "
                                "(with one sub-folder per class), or raise SEARCH_MAX_FILES")
    listing.images.sort()
    listing.ignored.sort()
    return listing


def scan_image_folder(root: Path, exclude: Collection[str] = ()) -> ImageFolder:
    """List the classes and image files of ``root`` in a fixed order (sorted names).

    ``exclude`` holds relative paths (as in ``relative_names``) to leave out: the unreadable images a
    data check found, when the user chose to skip them.
    """
    root = Path(root)
    check_root(root)
    class_dirs, _ = class_folders(root)
    if not class_dirs:
        raise DataError(f"{root} has no class sub-folders; "
                        "put the images of each class in a folder named for the class")
    excluded = set(exclude)
    files: list[Path] = []
    labels: list[int] = []
    for index, class_dir in enumerate(class_dirs):
        members = [p for p in list_class(root, class_dir).images if p.as_posix() not in excluded]
        if not members:
            raise DataError(f"class folder {class_dir} holds no usable images ({', '.join(IMAGE_EXTENSIONS)}); "
                            "add images or remove the folder")
        files.extend(members)
        labels.extend([index] * len(members))
    if len(class_dirs) < 2:
        raise DataError(f"{root} has a single class ({class_dirs[0].name}); "
                        "a classifier needs at least two class folders")
    return ImageFolder(root, tuple(p.name for p in class_dirs), tuple(files), np.asarray(labels, dtype=np.int64))
