"""A search-space file, read and validated into plain objects; every error names the key and the allowed values."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from objectives.architectures.registry import Bound, Words, family, family_names
from objectives.budgets.device import DeviceBudgets
from objectives.config import GENERATORS, MAX_LEARNING_RATE, MIN_IMAGE_SIZE
from objectives.errors import SpaceError
from objectives.quoting import capped, quoted
from spaces.image_sizes import derived_image_sizes
from spaces.yaml_file import read_yaml

DEFAULT_SPACE = Path(__file__).with_name("default.yaml")

TOP_LEVEL = ("image_sizes", "generators", "families")
OPTIONAL = ("budgets", "learning_rate")
BUDGETS = ("max_params", "max_macs", "max_int8_kb", "max_latency_ms")
MAX_SIZE = 1024
AUTO = "auto"  # image_sizes taken from the data (spaces.image_sizes)


@dataclass(frozen=True)
class IntRange:
    low: int
    high: int
    log: bool = False


@dataclass(frozen=True)
class FloatRange:
    low: float
    high: float
    log: bool = False


@dataclass(frozen=True)
class Choice:
    choices: tuple[Any, ...]


Parameter = IntRange | FloatRange | Choice


@dataclass(frozen=True)
class SearchSpace:
    image_sizes: tuple[int, ...]  # empty while the file says ``auto``: ``for_native_size`` fills it from the data
    generators: tuple[int, ...]
    families: dict[str, dict[str, Parameter]]
    source: dict[str, Any]  # the file's content as read (sizes resolved), recorded with the study
    budgets: DeviceBudgets = DeviceBudgets()
    learning_rate: Parameter | None = None  # peak Adam rate searched per trial; None: the study's fixed rate

    @property
    def sizes_from_data(self) -> bool:
        return not self.image_sizes

    def for_native_size(self, native: int) -> SearchSpace:
        """This space with ``auto`` sizes resolved for images of ``native`` pixels, recorded in its source
        (so the study, its workers and a resume all read the same sizes)."""
        if not self.sizes_from_data:
            return self
        return self.with_sizes(derived_image_sizes(native), "image sizes from the data")

    def with_sizes(self, sizes: tuple[int, ...], origin: str) -> SearchSpace:
        """This space searching ``sizes`` instead, recorded in its source."""
        return parse_space({**self.source, "image_sizes": list(sizes)}, origin)


def _fail(origin: str, key: str, message: str) -> SpaceError:
    return SpaceError(f"{origin}: {key}: {message}")


def _int_list(origin: str, key: str, value: Any, allowed: str, check) -> tuple[int, ...]:
    integers = isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    if not value or not integers:
        raise _fail(origin, key, f"must be a non-empty list of integers ({allowed}), got {quoted(value)}")
    bad = [v for v in value if not check(v)]
    if bad:
        raise _fail(origin, key, f"{quoted(bad)} not allowed; allowed: {allowed}")
    if len(set(value)) != len(value):
        raise _fail(origin, key, f"has repeated values {quoted(value)}")
    return tuple(value)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _word_choice(origin: str, key: str, value: Any, words: tuple[str, ...]) -> Choice:
    choices = value.get("choices") if isinstance(value, dict) and set(value) == {"choices"} else None
    if not isinstance(choices, list) or not choices or not all(c in words for c in choices):
        raise _fail(origin, key, f"must be {{choices: [...]}} with some of {', '.join(words)}, got {quoted(value)}")
    return Choice(tuple(choices))


def _learning_rate(origin: str, value: Any) -> Parameter:
    """The peak learning rate: {low, high[, log]} floats in (0, MAX_LEARNING_RATE], or {choices: [...]}."""
    if isinstance(value, dict) and {"low", "high"} <= set(value) <= {"low", "high", "log"}:
        low, high, log = value["low"], value["high"], value.get("log", False)
        if not (_number(low) and _number(high) and 0 < low <= high <= MAX_LEARNING_RATE) or not isinstance(log, bool):
            raise _fail(origin, "learning_rate", f"needs numbers 0 < low <= high <= {MAX_LEARNING_RATE:g} (and log: "
                                                 "true or false), "
                                                 f"got low={quoted(low)} high={quoted(high)} log={quoted(log)}")
        return FloatRange(float(low), float(high), log)
    choices = isinstance(value, dict) and set(value) == {"choices"}
    choice = _parameter(origin, "learning_rate", value) if choices else None
    if choice is None or not all(c <= MAX_LEARNING_RATE for c in choice.choices):
        raise _fail(origin, "learning_rate", f"must be {{low: <rate>, high: <rate>[, log: true]}} or "
                                             f"{{choices: [...]}} with rates in (0, {MAX_LEARNING_RATE:g}], "
                                             f"got {quoted(value)}")
    return choice


def _parameter(origin: str, key: str, value: Any, minimum: int = 1) -> Parameter:
    if isinstance(value, dict) and set(value) == {"choices"}:
        choices = value["choices"]
        if not isinstance(choices, list) or not choices:
            raise _fail(origin, key, f"choices must be a non-empty list, got {quoted(choices)}")
        if not all(_number(c) and (c > 0 or (c == 0 and minimum == 0)) for c in choices):
            kind = "numbers >= 0" if minimum == 0 else "positive numbers"
            raise _fail(origin, key, f"choices must be {kind}, got {quoted(choices)}")
        return Choice(tuple(choices))
    if isinstance(value, dict) and {"low", "high"} <= set(value) <= {"low", "high", "log"}:
        low, high, log = value["low"], value["high"], value.get("log", False)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)) or not minimum <= low <= high:
            raise _fail(origin, key, f"needs integers {minimum} <= low <= high, got low={quoted(low)} "
                                     f"high={quoted(high)}")
        if log and low < 1:
            raise _fail(origin, key, f"a log range needs low >= 1, got low={quoted(low)}")
        if not isinstance(log, bool):
            raise _fail(origin, key, f"log must be true or false, got {quoted(log)}")
        return IntRange(low, high, log)
    raise _fail(origin, key, f"must be {{low: <int>, high: <int>[, log: true]}} or {{choices: [...]}}, got "
                             f"{quoted(value)}")


def parse_space(data: Any, origin: str = "space") -> SearchSpace:
    """Validate a space given as a mapping (as read from YAML)."""
    if not isinstance(data, dict):
        raise SpaceError(f"{origin}: must be a mapping with keys {', '.join(TOP_LEVEL)}")
    unknown = sorted(set(data) - set(TOP_LEVEL) - set(OPTIONAL))
    if unknown:
        raise _fail(origin, capped(unknown[0]), f"unknown key; allowed keys: {', '.join(TOP_LEVEL + OPTIONAL)}")
    missing = [k for k in TOP_LEVEL if k not in data]
    if missing:
        raise _fail(origin, missing[0], "is missing")
    sizes = () if data["image_sizes"] == AUTO else _int_list(
        origin, "image_sizes", data["image_sizes"], f"{MIN_IMAGE_SIZE} to {MAX_SIZE} pixels, or {AUTO}",
        lambda v: MIN_IMAGE_SIZE <= v <= MAX_SIZE)
    generators = _int_list(origin, "generators", data["generators"], ", ".join(map(str, GENERATORS)),
                           lambda v: v in GENERATORS)
    families_data = data["families"]
    if not isinstance(families_data, dict) or not families_data:
        raise _fail(origin, "families", f"must map at least one of {', '.join(family_names())} to its parameters")
    families = {name: _family_space(origin, name, params) for name, params in families_data.items()}
    learning_rate = _learning_rate(origin, data["learning_rate"]) if "learning_rate" in data else None
    return SearchSpace(sizes, generators, families, data, _budgets(origin, data.get("budgets") or {}), learning_rate)


def _family_space(origin: str, name: str, params: Any) -> dict[str, Parameter]:
    """One family's parameters; those it lets a space file omit take the family's default choices."""
    if name not in family_names():
        raise _fail(origin, f"families.{capped(name)}", f"unknown family; allowed: {', '.join(family_names())}")
    declared = family(name)
    allowed, needed = declared.parameters, declared.required()
    if not isinstance(params, dict):
        raise _fail(origin, f"families.{name}", f"must map its parameters ({', '.join(allowed)})")
    for key in params:
        if key not in allowed:
            raise _fail(origin, f"families.{name}.{capped(key)}", f"unknown parameter; {name} allows: "
                                                                  f"{', '.join(allowed)}")
    for key in needed:
        if key not in params:
            raise _fail(origin, f"families.{name}.{key}", f"is missing; {name} needs: {', '.join(needed)}")
    return {key: _family_parameter(origin, f"families.{name}.{key}", key, declared.parameters[key],
                                   params[key] if key in params else {"choices": list(declared.optional[key])})
            for key in allowed}


def _family_parameter(origin: str, key: str, name: str, bound: Bound, value: Any) -> Parameter:
    """Words, or numbers of the family's type inside the range this machine can train (the family's Limit)."""
    if isinstance(bound, Words):
        return _word_choice(origin, key, value, bound.words)
    parameter = _parameter(origin, key, value, minimum=0 if bound.low <= 0 else 1)
    values = parameter.choices if isinstance(parameter, Choice) else (parameter.low, parameter.high)
    bad = [given for given in values if not bound.holds(given)]
    if bad:
        raise _fail(origin, key, f"{name} takes {bound.describe()}, but got {quoted(bad[0])}; use values in that "
                                 "range (larger models do not fit this machine's memory or a phone)")
    return parameter


def _budgets(origin: str, data: Any) -> DeviceBudgets:
    if not isinstance(data, dict):
        raise _fail(origin, "budgets", f"must map some of {', '.join(BUDGETS)} to limits, got {quoted(data)}")
    for key, value in data.items():
        if key not in BUDGETS:
            raise _fail(origin, f"budgets.{capped(key)}", f"unknown budget; allowed: {', '.join(BUDGETS)}")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise _fail(origin, f"budgets.{key}", f"must be a positive number, got {quoted(value)}")
    return DeviceBudgets(**data)


def load_space(path: Path | str = DEFAULT_SPACE) -> SearchSpace:
    path = Path(path)
    if not path.is_file():
        raise SpaceError(f"space file {path} not found; "
                         f"copy {DEFAULT_SPACE} and pass its path with SPACE=... / --space")
    return parse_space(read_yaml(path, SpaceError), str(path))


def with_budgets(space: SearchSpace, overrides: dict[str, float]) -> SearchSpace:
    """The space with budgets given on the command line laid over the file's, and recorded in its source
    (the study remembers the limits it ran under)."""
    if not overrides:
        return space
    data = {**space.source, "budgets": {**(space.source.get("budgets") or {}), **overrides}}
    return parse_space(data, origin="--max-* budget options")
