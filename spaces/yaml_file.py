"""Reading a hand-edited YAML file safely: bounded in size, UTF-8 only, no aliases.

YAML aliases let a few hundred bytes expand into millions of values (the "billion laughs" bomb takes
gigabytes and never answers), and a search space has no use for them. Errors quote at
most a line of what was read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from objectives.quoting import quoted

MAX_BYTES = 256 * 1024  # the default space is about 3 KB


class _NoAliases(yaml.SafeLoader):
    """PyYAML's safe loader, refusing ``*alias`` references where the composer would expand them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", mark)
        return super().compose_node(parent, index)


def _where(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or error.__class__.__name__
    return f"{problem} at line {mark.line + 1}, column {mark.column + 1}" if mark else problem


def read_yaml(path: Path, error: type[Exception]) -> Any:
    """The document in ``path``; anything else raises ``error`` with one line naming the file and the fix."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise error(f"{path}: at most {MAX_BYTES // 1024} KB must hold, but the file has {size:,} bytes; "
                    "a search space is a few lines (copy spaces/default.yaml)")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        raise error(f"{path}: UTF-8 text must hold, but byte {raw[bad.start]:#04x} at offset {bad.start} is not "
                    "UTF-8; save the file as UTF-8") from None
    try:
        return yaml.load(text, Loader=_NoAliases)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as bad:
        raise error(f"{path}: valid YAML without aliases must hold, but got {quoted(_where(bad), 120)}; "
                    "fix the file (anchors and *aliases are not allowed)") from None
