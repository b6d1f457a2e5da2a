"""The family registry: every family it knows builds, an unknown one is refused by name, and a family
registered in one place is searchable everywhere."""

from __future__ import annotations

import json
from typing import Any

import optuna
import pytest
import yaml

from objectives.architectures import build_model, registry
from objectives.architectures.blocks import pooled_head
from objectives.config import ArchitectureConfig, TrainingConfig, TrialConfig
from spaces.space import DEFAULT_SPACE, Choice, SpaceError, load_space, parse_space
from spaces.suggest import suggest_config
from tests.objectives.architectures.square_family import SQUARE

BUILT_IN = "mobilenet, mobilenetv2, plain, shufflenet, strided"


def _smallest(parameters: dict) -> dict[str, Any]:
    return {name: p.choices[0] if isinstance(p, Choice) else p.low for name, p in parameters.items()}


@pytest.mark.parametrize("name", registry.family_names())
def test_every_family_builds_from_its_smallest_space_values_at_8_px(name):
    architecture = registry.family(name).configure(_smallest(load_space().families[name]))
    model = build_model(architecture, 8, num_classes=3, standardize=False)
    assert model.output.shape[-1] == 3 and model.count_params() > 0


def test_an_unknown_family_is_refused_with_the_allowed_ones():
    message = f"unknown family 'resnet'; allowed: {BUILT_IN}"
    with pytest.raises(ValueError, match=message):
        registry.family("resnet")
    with pytest.raises(ValueError, match=message):
        build_model(ArchitectureConfig("resnet", (4,), ()), 8, num_classes=3, standardize=False)
    with pytest.raises(SpaceError, match=f"families.resnet: unknown family; allowed: {BUILT_IN}"):
        parse_space({"image_sizes": [8], "generators": [1], "families": {"resnet": {}}})


def test_a_family_is_registered_once_and_omits_only_its_own_parameters():
    with pytest.raises(ValueError, match="family 'plain' is already registered"):
        registry.register_family(registry.family("plain"))
    plain = registry.family("plain")
    with pytest.raises(ValueError, match="family 'odd': optional kernel not among its parameters"):
        registry.Family("odd", {"filters": registry.FILTERS}, plain.configure, pooled_head, "#000000",
                        optional={"kernel": (3,)})


def test_a_parameter_without_the_values_it_may_take_is_refused_when_the_family_is_declared():
    with pytest.raises(ValueError, match=r"family 'odd': parameters must map each name to a Limit or Words \(the "
                                         r"values a space file may give it\), but got none for kernel; "
                                         r"e.g. parameters=\{'kernel': Limit\(1, 8\)\}"):
        registry.Family("odd", {"filters": registry.FILTERS, "kernel": (1, 7)}, plain_configure, pooled_head, "#000")
    with pytest.raises(ValueError, match="but got none for filters, kernel"):
        registry.Family("odd", ("filters", "kernel"), plain_configure, pooled_head, "#000")


def plain_configure(values: dict[str, Any]) -> ArchitectureConfig:
    return registry.family("plain").configure(values)


@pytest.fixture
def square():
    with registry.registered(SQUARE) as family:
        yield family
    assert "square" not in registry.family_names()


def test_a_family_registered_in_one_place_is_searched_built_and_described(square):
    data = yaml.safe_load(DEFAULT_SPACE.read_text())
    data["families"] = {"square": {"filters": {"low": 4, "high": 8}, "kernel": {"choices": [3, 5]},
                                   "neurons": {"choices": [16]}}}
    space = parse_space(data).for_native_size(8)
    assert space.families["square"]["head"] == Choice(("average",))  # omitted: the family's default

    trial = optuna.create_study(directions=["maximize", "minimize"]).ask()
    config = suggest_config(trial, space, TrainingConfig())
    filters, kernel = trial.params["square.filters"], trial.params["square.kernel"]
    assert config.architecture == ArchitectureConfig("square", (filters,), (16,), head="average",
                                                     options={"kernel": kernel})
    assert registry.describe(config).startswith(f"square k{kernel} 8px G")
    model = build_model(config.architecture, 8, num_classes=2, standardize=False)
    assert model.get_layer("square_conv").kernel_size == (kernel, kernel)
    assert TrialConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config

    data["families"]["square"]["kernel"] = {"choices": [9]}
    with pytest.raises(SpaceError, match="families.square.kernel: kernel takes whole numbers from 1 to 7, but got 9"):
        parse_space(data)
    data["families"]["square"]["depth"] = {"choices": [3]}
    with pytest.raises(SpaceError, match="families.square.depth: unknown parameter; square allows: filters, kernel, "
                                         "neurons, head"):
        parse_space(data)
