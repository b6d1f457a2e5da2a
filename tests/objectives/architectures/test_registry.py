"""The family registry: every family it knows builds, an unknown one is refused by name, and a family
registered in one place is searchable everywhere."""

from __future__ import annotations

from typing import Any

import optuna
import pytest
import yaml

from objectives.architectures import build_model, registry
from objectives.architectures.blocks import conv_bn, pooled_head
from objectives.config import ArchitectureConfig, TrainingConfig, TrialConfig
from spaces.space import DEFAULT_SPACE, Choice, SpaceError, load_space, parse_space
from spaces.suggest import suggest_config

BUILT_IN = "plain, strided, mobilenet, mobilenetv2, shufflenet"


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
        ArchitectureConfig("resnet", (4,), ())
    with pytest.raises(SpaceError, match=f"families.resnet: unknown family; allowed: {BUILT_IN}"):
        parse_space({"image_sizes": [8], "generators": [1], "families": {"resnet": {}}})


def test_a_family_is_registered_once_and_omits_only_its_own_parameters():
    with pytest.raises(ValueError, match="family 'plain' is already registered"):
        registry.register_family(registry.family("plain"))
    with pytest.raises(ValueError, match="family 'odd': optional kernel not among its parameters"):
        registry.Family("odd", ("filters",), registry.family("plain").configure, pooled_head, "#000000",
                        optional={"kernel": (3,)})


def _pointwise_body(x, architecture: ArchitectureConfig):
    return pooled_head(conv_bn(x, architecture.filters[0], 1, 1, "pointwise"))


POINTWISE = registry.Family(
    name="pointwise",
    parameters=("filters", "neurons", "head"),
    configure=lambda values: ArchitectureConfig("pointwise", (values["filters"],), (values["neurons"],),
                                                head=values["head"]),
    body=_pointwise_body,
    colour="#9467bd",
    optional={"head": ("average",)},
    label=lambda architecture: f"{architecture.filters[0]}ch",
)


@pytest.fixture
def pointwise():
    with registry.registered(POINTWISE) as family:
        yield family
    assert "pointwise" not in registry.family_names()


def test_a_family_registered_in_one_place_is_searched_built_and_described(pointwise):
    data = yaml.safe_load(DEFAULT_SPACE.read_text())
    data["families"] = {"pointwise": {"filters": {"low": 4, "high": 8}, "neurons": {"choices": [16]}}}
    space = parse_space(data).for_native_size(8)
    assert space.families["pointwise"]["head"] == Choice(("average",))  # omitted: the family's default

    trial = optuna.create_study(directions=["maximize", "minimize"]).ask()
    config = suggest_config(trial, space, TrainingConfig())
    filters = trial.params["pointwise.filters"]
    assert config.architecture == ArchitectureConfig("pointwise", (filters,), (16,), head="average")
    assert config.describe().startswith(f"pointwise {filters}ch 8px G")
    model = build_model(config.architecture, 8, num_classes=2, standardize=False)
    assert model.get_layer("pointwise_conv").filters == filters
    assert TrialConfig.from_dict(config.to_dict()) == config

    data["families"]["pointwise"]["kernel"] = {"choices": [3]}
    with pytest.raises(SpaceError, match="families.pointwise.kernel: unknown parameter; pointwise allows: filters, "
                                         "neurons, head"):
        parse_space(data)
