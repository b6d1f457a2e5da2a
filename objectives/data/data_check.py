"""A data report before any training: what the folder holds and every problem in it, named by path.

Real image folders are messy (empty or truncated files, documents with an image extension, huge scans,
one class too small for the folds). Finding that out after an hour of resizing, or as a TensorFlow
traceback, is the failure this module prevents: every image is decoded once here with the same
``decode_rgb`` the size cache uses, so what passes the check also passes the cache.

Unreadable images block a study by default: a silently smaller data set changes the results. With
``skip_unreadable`` they are left out instead (and still listed by path).
"""

from __future__ import annotations

import sys
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from objectives.config import TEST_FRACTION
from objectives.data.dataset import class_folders, file_digest, list_class
from objectives.data.paths import PROGRESS_EVERY, class_name_problem, max_files, system_root_problem
from objectives.data.preprocessing import decode_rgb
from objectives.data.splits import holdout_split
from objectives.errors import DataError

ERROR, WARNING, IGNORED = "error", "warning", "ignored"  # only errors stop a study


@dataclass(frozen=True)
class Problem:
    severity: str  # ERROR blocks the study; WARNING and IGNORED do not
    path: str  # relative to the data folder ("." for the folder itself: the message then names it)
    message: str

    def line(self, root: Path) -> str:
        return self.message if self.path == "." else f"{root / self.path}: {self.message}"


@dataclass
class DataReport:
    root: Path
    folds: int
    test_fraction: float
    skip_unreadable: bool
    class_counts: dict[str, int] = field(default_factory=dict)  # usable images per class, in class order
    sizes: Counter = field(default_factory=Counter)  # (width, height) upright -> images
    modes: Counter = field(default_factory=Counter)  # Pillow mode as stored -> images
    duplicates: list[list[str]] = field(default_factory=list)  # same bytes in more than one class (also a warning)
    problems: list[Problem] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # relative paths that could not be decoded

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def skipped(self) -> list[str]:
        """Files the study must leave out (empty unless the user chose to skip unreadable images)."""
        return self.unreadable if self.skip_unreadable else []

    def error_summary(self) -> str:
        """One line for the DataError that stops a study; the full report is printed above it."""
        more = f" (and {len(self.errors) - 1} more blocking problems, listed above)" if len(self.errors) > 1 else ""
        return f"{self.errors[0].line(self.root)}{more}"

    def render(self, limit: int = 20) -> str:
        """The report as text; each list is cut at ``limit`` lines so a huge folder stays readable."""
        usable = sum(self.class_counts.values())
        lines = [f"data check: {self.root}",
                 f"  {len(self.class_counts)} classes, {usable} usable images"
                 + (f", {len(self.skipped)} unreadable images skipped" if self.skipped else "")]
        width = max([len(name) for name in self.class_counts] + [5])
        lines += [f"    {name:<{width}}  {count:>6}" for name, count in self.class_counts.items()]
        if self.sizes:
            widths, heights = [w for w, _ in self.sizes], [h for _, h in self.sizes]
            (common, count), = self.sizes.most_common(1)
            lines.append(f"  sizes (upright): width {min(widths)}-{max(widths)}, height {min(heights)}-{max(heights)}; "
                         f"most common {common[0]}x{common[1]} ({count})")
            lines.append("  modes: " + ", ".join(f"{mode} {n}" for mode, n in self.modes.most_common()))
        for severity in (ERROR, WARNING, IGNORED):
            found = [p for p in self.problems if p.severity == severity]
            if found:
                lines.append(f"  {severity} ({len(found)}):")
                lines += [f"    {p.message if p.path == '.' else f'{p.path}: {p.message}'}" for p in found[:limit]]
                lines += _more(found, limit)
        if self.errors:
            hint = "" if self.skip_unreadable or not self.unreadable else \
                " (to leave unreadable images out instead: --skip-unreadable, or SKIP_UNREADABLE=1 with make)"
            lines.append(f"  verdict: {len(self.errors)} blocking problem(s); fix them before a study{hint}")
        else:
            lines.append("  verdict: usable")
        return "\n".join(lines)


def _more(items: list, limit: int) -> list[str]:
    return [f"    ... and {len(items) - limit} more"] if len(items) > limit else []


def _why_unreadable(path: Path, error: Exception) -> str:
    """A reason a person can act on, not Pillow's exception class."""
    if isinstance(error, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        return (f"refused: larger than the {Image.MAX_IMAGE_PIXELS:,} pixels allowed (a decompression bomb, or a scan "
                f"far larger than any model input): downsize it or remove it ({error})")
    if isinstance(error, PermissionError):
        return "cannot be read: permission denied; fix its permissions or remove it"
    if isinstance(error, UnidentifiedImageError):
        if path.stat().st_size == 0:
            return "empty file (0 bytes); remove it or copy it again"
        return "not an image Pillow can read (wrong extension, unknown format or random bytes); remove it"
    if isinstance(error, FileNotFoundError):
        return "cannot be opened (a broken symlink?); remove it"
    return f"truncated or corrupt image ({error.__class__.__name__}: {error}); re-export it or remove it"


def _inspect(path: Path) -> tuple[tuple[int, int], str]:
    """(upright size, stored mode) of an image, decoded fully: truncation only shows when the pixels are read."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)  # above the limit is refused, not warned about
        with Image.open(path) as image:
            mode = image.mode
        return decode_rgb(path).size, mode


def _check_fold_counts(report: DataReport, labels: np.ndarray, seed: int) -> None:
    """Every class needs images for the held-out test split and then ``folds`` images for CV; name each short one."""
    names = tuple(report.class_counts)
    try:
        search, _ = holdout_split(labels, names, report.test_fraction, seed)
    except DataError as error:
        report.problems.append(Problem(ERROR, ".", str(error)))
        return
    per_class = np.bincount(labels[search], minlength=len(names))
    for name, count in zip(names, per_class):
        if count < report.folds:
            report.problems.append(Problem(
                ERROR, name, f"class {name!r} has {report.class_counts[name]} images, {count} after holding out the "
                f"{report.test_fraction:.0%} test split, but {report.folds}-fold cross-validation needs at least "
                f"{report.folds} per class: add images to {name!r}, or lower FOLDS"))


def check_data(root: Path, folds: int = 5, test_fraction: float = TEST_FRACTION, seed: int = 0,
               skip_unreadable: bool = False) -> DataReport:
    """Look at every file under ``root`` the way a study will (same split ``seed``), and report everything wrong."""
    root = Path(root)
    report = DataReport(root, folds, test_fraction, skip_unreadable)
    if not root.is_dir():
        report.problems.append(Problem(ERROR, ".", f"data folder {root} does not exist or is not a folder; pass the "
                                                   "folder that holds one sub-folder per class"))
        return report
    refused = system_root_problem(root)
    if refused:
        report.problems.append(Problem(ERROR, ".", refused))
        return report
    class_dirs, ignored = class_folders(root)
    report.problems += [Problem(IGNORED, path.as_posix(), why) for path, why in ignored]
    named = [Problem(ERROR, ".", why) for why in map(class_name_problem, (d.name for d in class_dirs)) if why]
    if named:  # before any image is read: the export would break on these names after all the training
        report.problems += named
        return report
    try:
        return _check_classes(report, root, class_dirs, seed)
    except DataError as error:  # more files than any data set this service is for
        report.problems.append(Problem(ERROR, ".", str(error)))
        return report


def _check_classes(report: DataReport, root: Path, class_dirs: list[Path], seed: int) -> DataReport:
    """Decode every image of every class folder and fill the report."""
    skip_unreadable, checked = report.skip_unreadable, 0
    digests: dict[bytes, list[str]] = defaultdict(list)
    labels: list[int] = []
    for index, class_dir in enumerate(class_dirs):
        listing = list_class(root, class_dir)
        report.problems += [Problem(IGNORED, path.as_posix(), why) for path, why in listing.ignored]
        usable = 0
        for relative in listing.images:
            checked += 1
            if checked > max_files():
                raise DataError(f"data folder {root}: at most {max_files():,} files must hold, but it has more; pass "
                                "the folder of one image set, or raise SEARCH_MAX_FILES")
            if checked % PROGRESS_EVERY == 0:
                print(f"data check: {checked:,} images read...", file=sys.stderr, flush=True)
            name = relative.as_posix()
            try:
                size, mode = _inspect(root / relative)
                digests[file_digest(root / relative)].append(name)
            except Exception as error:  # Pillow raises many types; each means "this file is not a usable image"
                report.unreadable.append(name)
                why = _why_unreadable(root / relative, error)
                report.problems.append(Problem(WARNING, name, f"skipped: {why}") if skip_unreadable
                                       else Problem(ERROR, name, why))
                continue
            report.sizes[size] += 1
            report.modes[mode] += 1
            usable += 1
        report.class_counts[class_dir.name] = usable
        labels += [index] * usable
        if not usable:
            what = "no readable images" if listing.images else "no images"
            report.problems.append(Problem(ERROR, class_dir.name, f"class folder holds {what}; add images or remove "
                                                                  "the folder"))
    report.duplicates = [group for group in digests.values() if len({Path(n).parts[0] for n in group}) > 1]
    report.problems += [Problem(WARNING, group[0], f"the same file is in several classes: {', '.join(group)}; "
                                                   "its label is ambiguous, keep it in one class")
                        for group in report.duplicates]
    if len(class_dirs) < 2:
        found = f"a single class ({class_dirs[0].name})" if class_dirs else "no class sub-folders"
        report.problems.append(Problem(ERROR, ".", f"data folder {root} has {found}; a classifier needs at least two "
                                                   "class folders, each holding the images of one class"))
    elif all(report.class_counts.values()):
        _check_fold_counts(report, np.asarray(labels, dtype=np.int64), seed)
    return report
