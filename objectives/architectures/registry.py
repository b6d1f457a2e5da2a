"""The architecture families, each declared once beside its Keras body and read by everything else.

A family used to be spelt out in the configuration, the space file's checks, the parameter limits, the start
points, the suggest step, the model builder and three views, and those copies drifted. Each family module now
registers a ``Family`` (as timm's ``@register_model`` does): its parameters with the values a space file may
give them, where a new study starts, its builder, feasibility and label; the rest asks this registry.

The space file is checked before TensorFlow loads (a wrong file fails in a second, not after the import),
and the space checks need every family's parameters, so declaring a family must not import Keras: this
module imports nothing heavy, the family modules import Keras inside their bodies only, and the package's
``__init__`` imports the family modules, so importing this module always finds every family registered.
The configuration (``objectives.config``) knows no family: a network's label and a trial's one-line
description come from here (``network_label``, ``describe``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from objectives.config import ArchitectureConfig, TrialConfig


@dataclass(frozen=True)
class Limit:
    """The numbers a parameter may take: a type, and a range a machine like this one can train.

    Without a type a float block count (``conv_blocks: {choices: [1.5]}``) was accepted and crashed the study
    at its first trial; without an upper bound one trial of ``filters: {low: 100000, high: 100000}`` reached
    8 GB of memory. The bounds are generous for phone models (the default space stays far inside them) and
    small enough that no trial exhausts 24 GB. A low of 0 lets a space file give 0 (no hidden Dense layer).
    """

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


@dataclass(frozen=True)
class Words:
    """A parameter whose values are words (a padding, a head), given as ``{choices: [...]}``."""

    words: tuple[str, ...]


Bound = Limit | Words

# What every family means the same by: the first convolution's width and the shared Dense head.
FILTERS = Limit(1, 512)
DENSE_LAYERS = Limit(0, 4)  # 0: no hidden Dense layer (the softmax reads the features)
NEURONS = Limit(1, 4096)


@dataclass(frozen=True)
class StartPoints:
    """The networks a new study of this family trains first, before the sampler chooses.

    ``networks`` hold bare parameter values (clipped into the space file's ranges; a parameter left out takes
    its smallest value), tried in order at each of ``sizes`` (the space's sizes nearest them; none: its
    smallest). Of the families in a space, the one whose ``from_size`` is the highest at or below the space's
    smallest image size starts the study.
    """

    networks: tuple[Mapping[str, Any], ...]
    sizes: tuple[int, ...] = ()
    from_size: int = 0


def _no_label(architecture: ArchitectureConfig) -> str:
    return ""


def _unbound(parameters: Mapping[str, Bound] | Iterable[str]) -> list[str]:
    """The parameters given no Limit or Words: a new family's parameter with no range would let a space file
    ask for any value (a tuple of names gives none)."""
    named = parameters.items() if isinstance(parameters, Mapping) else ((name, None) for name in parameters)
    return [str(name) for name, bound in named if not isinstance(bound, (Limit, Words))]


@dataclass(frozen=True)
class Family:
    """One architecture family: its search-space parameters and how a sampled trial becomes a Keras network.

    ``parameters`` map each name to the values a space file may give it (``Limit`` or ``Words``).
    ``configure`` takes a trial's sampled values keyed by bare parameter name (``filters``, not
    ``plain.filters``). ``body`` maps the (standardised) input tensor to the features the shared Dense
    head reads. ``check`` raises ``InfeasibleConfiguration`` for a network that cannot run at an image
    size (None: every size works). ``label`` is what sets one network apart within the family in a trial's
    one-line description ("x4"), or "". ``settings`` are the ``ArchitectureConfig`` fields or options beyond
    filters and neurons that only this family reads, shown in a trial's note.
    """

    name: str
    parameters: Mapping[str, Bound]
    configure: Callable[[dict[str, Any]], ArchitectureConfig]
    body: Callable[[Any, ArchitectureConfig], Any]
    colour: str  # its points in the study's plots
    optional: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)  # omitted from a space file: these choices
    settings: tuple[str, ...] = ()
    label: Callable[[ArchitectureConfig], str] = _no_label
    check: Callable[[ArchitectureConfig, int], None] | None = None
    start: StartPoints | None = None  # none: a study of this family alone starts where the sampler chooses

    def __post_init__(self) -> None:
        unbound = _unbound(self.parameters)
        if unbound:
            raise ValueError(f"family {self.name!r}: parameters must map each name to a Limit or Words (the values a "
                             f"space file may give it), but got none for {', '.join(unbound)}; "
                             f"e.g. parameters={{{unbound[0]!r}: Limit(1, 8)}}")
        stray = sorted(set(self.optional) - set(self.parameters))
        if stray:
            raise ValueError(f"family {self.name!r}: optional {', '.join(stray)} not among its parameters")

    def required(self) -> tuple[str, ...]:
        """The parameters a space file must give for this family."""
        return tuple(name for name in self.parameters if name not in self.optional)


_FAMILIES: dict[str, Family] = {}


def register_family(family: Family) -> Family:
    """Make ``family`` known to the configuration, the search space, the model builder and the views."""
    if family.name in _FAMILIES:
        raise ValueError(f"family {family.name!r} is already registered")
    _FAMILIES[family.name] = family
    return family


@contextmanager
def registered(family: Family) -> Iterator[Family]:
    """``family`` known only inside a ``with`` block (a family being tried out), then forgotten again."""
    register_family(family)
    try:
        yield family
    finally:
        del _FAMILIES[family.name]


def family_names() -> tuple[str, ...]:
    """Every registered family, in the order registered (the order errors and plots list them)."""
    return tuple(_FAMILIES)


def families() -> tuple[Family, ...]:
    return tuple(_FAMILIES.values())


def family(name: str) -> Family:
    """The family called ``name``; a ValueError naming the allowed families if there is none."""
    if name not in _FAMILIES:
        raise ValueError(f"unknown family {name!r}; allowed: {', '.join(_FAMILIES)}")
    return _FAMILIES[name]


def network_label(architecture: ArchitectureConfig) -> str:
    """The family and what sets this network apart within it ("mobilenetv2 x4", "plain same/average")."""
    extra = family(architecture.family).label(architecture)
    return f"{architecture.family} {extra}" if extra else architecture.family


def describe(config: TrialConfig) -> str:
    """A trial's one-line label for tables and logs."""
    a = config.architecture
    return (f"{network_label(a)} {config.image_size}px G{config.generator} "
            f"filters={'/'.join(map(str, a.filters))} neurons={'/'.join(map(str, a.neurons)) or '-'} "
            f"lr={config.training.learning_rate:.3g}")
