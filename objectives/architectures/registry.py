"""The architecture families, each declared once beside its Keras body and read by everything else.

A family used to be spelt out in the configuration, the space file's checks, the suggest step, the model
builder and three views, and those copies drifted. Each family module now registers a ``Family`` (as
timm's ``@register_model`` does) and the rest asks this registry.

The space file is checked before TensorFlow loads (a wrong file fails in a second, not after the import),
and the space checks need every family's parameters, so declaring a family must not import Keras: this
module imports nothing heavy, the family modules import Keras inside their bodies only, and the package's
``__init__`` imports the family modules, so importing this module always finds every family registered.
``objectives.config`` imports it inside its functions, as the family modules import the configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from objectives.config import ArchitectureConfig


def _no_label(architecture: ArchitectureConfig) -> str:
    return ""


@dataclass(frozen=True)
class Family:
    """One architecture family: its search-space parameters and how a sampled trial becomes a Keras network.

    ``configure`` takes a trial's sampled values keyed by bare parameter name (``filters``, not
    ``plain.filters``). ``body`` maps the (standardised) input tensor to the features the shared Dense
    head reads. ``check`` raises ``InfeasibleConfiguration`` for a network that cannot run at an image
    size (None: every size works). ``label`` is what sets one network apart within the family in a trial's
    one-line description ("x4"), or "". ``settings`` are the ``ArchitectureConfig`` fields beyond filters
    and neurons that only this family reads, shown in a trial's note.
    """

    name: str
    parameters: tuple[str, ...]
    configure: Callable[[dict[str, Any]], ArchitectureConfig]
    body: Callable[[Any, ArchitectureConfig], Any]
    colour: str  # its points in the study's plots
    optional: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)  # omitted from a space file: these choices
    settings: tuple[str, ...] = ()
    label: Callable[[ArchitectureConfig], str] = _no_label
    check: Callable[[ArchitectureConfig, int], None] | None = None

    def __post_init__(self) -> None:
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
