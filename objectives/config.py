"""The typed configuration a trial is turned into; objectives never see an Optuna trial."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

GENERATORS = (1, 2, 3, 4)
PADDINGS = ("valid", "same")  # plain convolutions: the paper's valid, or same (keeps the grid for the next block)
HEADS = ("flatten", "average")  # plain features into Dense: the paper's Flatten, or global average pooling
SCHEDULES = ("cosine", "constant")
TEST_FRACTION = 0.15  # the share of the images held out, never searched on, for the export's checks
MIN_IMAGE_SIZE = 8  # below this a 3x3 convolution and one pooling leave almost nothing
MAX_LEARNING_RATE = 1.0  # Adam's peak rate, as the command line and a space file may give it


@dataclass(frozen=True)
class ArchitectureConfig:
    """One network: filters per block and neurons per hidden dense layer.

    Lists rather than single numbers so the paper's own models are expressible,
    e.g. Model 2 is ``filters=(32, 32, 32, 64), neurons=(128, 50, 20)``.

    A family's own settings beyond filters and neurons are ``options`` (name, value pairs), so a family added
    later needs no field here; the first five families' settings stay fields, as every stored trial names them.
    ``option`` reads either.
    """

    family: str
    filters: tuple[int, ...]
    neurons: tuple[int, ...]
    expansion: int = 1  # mobilenetv2: channels are multiplied by this inside a block
    groups: int = 1  # shufflenet: groups of the 1x1 convolutions
    padding: str = "valid"  # plain: the paper's valid convolutions, or same
    head: str = "flatten"  # plain: the paper's Flatten, or global average pooling
    options: tuple[tuple[str, Any], ...] = ()  # a later family's own settings, e.g. {"kernel": 5}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ArchitectureConfig:
        """The configuration a trial recorded (lists where it held tuples, as JSON keeps them: the checks
        below turn them back into tuples)."""
        return cls(**data)

    def option(self, name: str) -> Any:
        """A setting only this network's family reads, by name (``Family.settings``)."""
        if name in {f.name for f in fields(self)}:
            return getattr(self, name)
        return dict(self.options)[name]

    def __post_init__(self) -> None:
        if self.padding not in PADDINGS or self.head not in HEADS:
            raise ValueError(f"padding must be one of {', '.join(PADDINGS)} and head one of {', '.join(HEADS)}, "
                             f"got padding={self.padding!r} head={self.head!r}")
        if not self.filters or any(f < 1 for f in self.filters):
            raise ValueError(f"filters must be a non-empty list of positive integers, got {self.filters}")
        if any(n < 1 for n in self.neurons):
            raise ValueError(f"neurons must be positive integers, got {self.neurons}")
        object.__setattr__(self, "filters", tuple(int(f) for f in self.filters))
        object.__setattr__(self, "neurons", tuple(int(n) for n in self.neurons))
        pairs = self.options.items() if isinstance(self.options, Mapping) else self.options
        object.__setattr__(self, "options", tuple(sorted((str(name), value) for name, value in pairs)))


@dataclass(frozen=True)
class TrainingConfig:
    """How every fold of a trial is trained. The study sets it; a space that searches the learning rate
    gives each trial its own ``learning_rate``.

    Adam's rate decays along a cosine from ``learning_rate`` to 0 over the fold's last step by default: on
    the 8x8 digits a small CNN trained that way in 40 epochs beat a constant rate trained for 60. Small
    networks want a high peak, large ones a lower one, hence a searched peak (`python -m bench.schedules`
    sets the schedules side by side). ``constant`` is the recipe's plain Adam, the benchmark's baseline.
    """

    epochs: int = 40
    batch_size: int = 32
    learning_rate: float = 0.01
    folds: int = 5
    seed: int = 0
    schedule: str = "cosine"

    def __post_init__(self) -> None:
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, got {self.schedule!r}")


@dataclass(frozen=True)
class TrialConfig:
    """Everything that decides one trial's models, so it can be re-run without Optuna."""

    image_size: int
    generator: int
    architecture: ArchitectureConfig
    training: TrainingConfig = field(default_factory=TrainingConfig)

    def __post_init__(self) -> None:
        if self.generator not in GENERATORS:
            raise ValueError(f"unknown generator {self.generator!r}; allowed: 1, 2, 3, 4")
        if self.image_size < MIN_IMAGE_SIZE:
            raise ValueError(f"image_size must be at least {MIN_IMAGE_SIZE} pixels, got {self.image_size}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrialConfig:
        return cls(
            image_size=int(data["image_size"]),
            generator=int(data["generator"]),
            architecture=ArchitectureConfig.from_dict(data["architecture"]),
            training=TrainingConfig(**data["training"]),
        )
