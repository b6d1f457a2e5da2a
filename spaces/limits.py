"""What each search-space parameter may be: its type and a range a machine like this one can train.

Without a type per parameter a float choice for a block count (``conv_blocks: {choices: [1.5]}``) is
accepted and crashes the whole study at its first trial; without an upper bound one trial of
``filters: {low: 100000, high: 100000}`` reached 8 GB of memory. The bounds are generous for phone
models (the default space stays far inside them) and small enough that no trial exhausts 24 GB.
"""

from __future__ import annotations

from dataclasses import dataclass

from objectives.quoting import quoted


@dataclass(frozen=True)
class Limit:
    low: float
    high: float
    integer: bool = True

    def describe(self) -> str:
        kind = "whole numbers" if self.integer else "numbers"
        return f"{kind} from {self.low:g} to {self.high:g}"

    def holds(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int if self.integer else (int, float)):
            return False
        return self.low <= value <= self.high


PARAMETER_LIMITS: dict[str, Limit] = {
    "conv_blocks": Limit(1, 6),  # each block halves the image: 6 already needs 64 px or more
    "filters": Limit(1, 512),
    "dense_layers": Limit(0, 4),  # 0: no hidden Dense layer (the softmax reads the features)
    "neurons": Limit(1, 4096),
    "blocks": Limit(1, 4),  # MobileNet's block widths are 64, 128, 256, 512 (times the multiplier)
    "expansion": Limit(1, 8),
    "groups": Limit(1, 8),
    "width_multiplier": Limit(0.05, 2.0, integer=False),
    "growth": Limit(1.0, 3.0, integer=False),  # strided: each block's width over the one before
}


def limit_problem(name: str, values: tuple[object, ...]) -> str | None:
    """Why ``values`` (a range's ends or a choice list) do not fit parameter ``name``, or None."""
    limit = PARAMETER_LIMITS.get(name)
    if limit is None:  # a family's new parameter that no limit covers yet: a developer's mistake, said plainly
        raise ValueError(f"parameter {name!r} has no limit in spaces.limits.PARAMETER_LIMITS; add one there")
    bad = [value for value in values if not limit.holds(value)]
    if not bad:
        return None
    return (f"{name} takes {limit.describe()}, but got {quoted(bad[0])}; use values in that range "
            "(larger models do not fit this machine's memory or a phone)")
