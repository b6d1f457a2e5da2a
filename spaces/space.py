"""A search-space file, read and validated into plain objects; every error names the key and the allowed values."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from objectives.budgets import DeviceBudgets
from objectives.config import FAMILIES, GENERATORS
from objectives.quoting import capped, quoted
from spaces.limits import limit_problem
from spaces.yaml_file import read_yaml

DEFAULT_SPACE = Path(__file__).with_name("default.yaml")

# What each family knows; the suggest step reads exactly these.
FAMILY_PARAMETERS: dict[str, tuple[str, ...]] = {
    "plain": ("conv_blocks", "filters", "dense_layers", "neurons"),
    "mobilenet": ("width_multiplier", "blocks", "neurons"),
    "mobilenetv2": ("filters", "blocks", "expansion", "neurons"),
    "shufflenet": ("filters", "blocks", "groups", "neurons"),
}
TOP_LEVEL = ("image_sizes", "generators", "families")
OPTIONAL = ("budgets",)
BUDGETS = ("max_params", "max_int8_kb", "max_latency_ms")
MIN_SIZE, MAX_SIZE = 8, 1024


class SpaceError(ValueError):
    """The space file is wrong; the message names the file, the key and what is allowed."""


@dataclass(frozen=True)
class IntRange:
    low: int
    high: int
    log: bool = False


@dataclass(frozen=True)
class Choice:
    choices: tuple[Any, ...]


Parameter = IntRange | Choice


@dataclass(frozen=True)
class SearchSpace:
    image_sizes: tuple[int, ...]
    generators: tuple[int, ...]
    families: dict[str, dict[str, Parameter]]
    source: dict[str, Any]  # the file's content as read, recorded with the study
    budgets: DeviceBudgets = DeviceBudgets()

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.source, sort_keys=True).encode()).hexdigest()[:16]


def _fail(origin: str, key: str, message: str) -> SpaceError:
    return SpaceError(f"{origin}: {key}: {message}")


def _int_list(origin: str, key: str, value: Any, allowed: str, check) -> tuple[int, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise _fail(origin, key, f"must be a non-empty list of integers ({allowed}), got {quoted(value)}")
    bad = [v for v in value if not check(v)]
    if bad:
        raise _fail(origin, key, f"{quoted(bad)} not allowed; allowed: {allowed}")
    if len(set(value)) != len(value):
        raise _fail(origin, key, f"has repeated values {quoted(value)}")
    return tuple(value)


def _parameter(origin: str, key: str, value: Any) -> Parameter:
    if isinstance(value, dict) and set(value) == {"choices"}:
        choices = value["choices"]
        if not isinstance(choices, list) or not choices:
            raise _fail(origin, key, f"choices must be a non-empty list, got {quoted(choices)}")
        if not all(isinstance(c, (int, float)) and not isinstance(c, bool) and c > 0 for c in choices):
            raise _fail(origin, key, f"choices must be positive numbers, got {quoted(choices)}")
        return Choice(tuple(choices))
    if isinstance(value, dict) and {"low", "high"} <= set(value) <= {"low", "high", "log"}:
        low, high, log = value["low"], value["high"], value.get("log", False)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)) or not 1 <= low <= high:
            raise _fail(origin, key, f"needs integers 1 <= low <= high, got low={quoted(low)} high={quoted(high)}")
        if not isinstance(log, bool):
            raise _fail(origin, key, f"log must be true or false, got {quoted(log)}")
        return IntRange(low, high, log)
    raise _fail(origin, key, f"must be {{low: <int>, high: <int>[, log: true]}} or {{choices: [...]}}, got {quoted(value)}")


def _bounded(origin: str, key: str, name: str, value: Any) -> Parameter:
    """A parameter of the right type per name, inside the range this machine can train (spaces.limits)."""
    parameter = _parameter(origin, key, value)
    values = parameter.choices if isinstance(parameter, Choice) else (parameter.low, parameter.high)
    problem = limit_problem(name, values)
    if problem:
        raise _fail(origin, key, problem)
    return parameter


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
    sizes = _int_list(origin, "image_sizes", data["image_sizes"], f"{MIN_SIZE} to {MAX_SIZE} pixels",
                      lambda v: MIN_SIZE <= v <= MAX_SIZE)
    generators = _int_list(origin, "generators", data["generators"], ", ".join(map(str, GENERATORS)),
                           lambda v: v in GENERATORS)
    families_data = data["families"]
    if not isinstance(families_data, dict) or not families_data:
        raise _fail(origin, "families", f"must map at least one of {', '.join(FAMILIES)} to its parameters")
    families: dict[str, dict[str, Parameter]] = {}
    for family, params in families_data.items():
        if family not in FAMILY_PARAMETERS:
            raise _fail(origin, f"families.{capped(family)}", f"unknown family; allowed: {', '.join(FAMILIES)}")
        allowed = FAMILY_PARAMETERS[family]
        if not isinstance(params, dict):
            raise _fail(origin, f"families.{family}", f"must map its parameters ({', '.join(allowed)})")
        for name in params:
            if name not in allowed:
                raise _fail(origin, f"families.{family}.{capped(name)}", f"unknown parameter; {family} allows: {', '.join(allowed)}")
        for name in allowed:
            if name not in params:
                raise _fail(origin, f"families.{family}.{name}", f"is missing; {family} needs: {', '.join(allowed)}")
        families[family] = {name: _bounded(origin, f"families.{family}.{name}", name, params[name]) for name in allowed}
    return SearchSpace(sizes, generators, families, data, _budgets(origin, data.get("budgets") or {}))


def _budgets(origin: str, data: Any) -> DeviceBudgets:
    if not isinstance(data, dict):
        raise _fail(origin, "budgets", f"must map some of {', '.join(BUDGETS)} to limits, got {quoted(data)}")
    for key, value in data.items():
        if key not in BUDGETS:
            raise _fail(origin, f"budgets.{key}", f"unknown budget; allowed: {', '.join(BUDGETS)}")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise _fail(origin, f"budgets.{key}", f"must be a positive number, got {quoted(value)}")
    return DeviceBudgets(**data)


def load_space(path: Path | str = DEFAULT_SPACE) -> SearchSpace:
    path = Path(path)
    if not path.is_file():
        raise SpaceError(f"space file {path} not found; copy {DEFAULT_SPACE} and pass its path with SPACE=... / --space")
    return parse_space(read_yaml(path, SpaceError), str(path))


def with_budgets(space: SearchSpace, overrides: dict[str, float]) -> SearchSpace:
    """The space with budgets given on the command line laid over the file's, and recorded in its source
    (the study remembers the limits it ran under)."""
    if not overrides:
        return space
    data = {**space.source, "budgets": {**(space.source.get("budgets") or {}), **overrides}}
    return parse_space(data, origin="--max-* budget options")
