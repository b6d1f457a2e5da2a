import optuna
import pytest
import yaml

from objectives.architectures import registry
from objectives.config import TrainingConfig
from objectives.errors import SpaceError
from spaces.space import DEFAULT_SPACE, FloatRange, load_space, parse_space, with_budgets
from spaces.suggest import suggest_config


def _default() -> dict:
    return yaml.safe_load(DEFAULT_SPACE.read_text())


def test_default_space_loads_all_families_and_generators():
    space = load_space()
    assert set(space.families) == set(registry.family_names())
    assert space.generators == (1, 2, 3, 4)
    assert space.sizes_from_data and space.learning_rate == FloatRange(0.002, 0.03, log=True)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.update(sizes=[32]), r"sizes: unknown key; allowed keys: image_sizes, generators, families"),
    (lambda d: d.update(generators=[1, 5]), r"generators: \[5\] not allowed; allowed: 1, 2, 3, 4"),
    (lambda d: d.update(image_sizes=[2, 32]), r"image_sizes: \[2\] not allowed; allowed: 8 to 1024 pixels, or auto"),
    (lambda d: d.update(image_sizes="big"), r"image_sizes: must be a non-empty list of integers \(8 to 1024 pixels, or "
                                            r"auto\)"),
    (lambda d: d["families"].update(resnet={}),
     r"families.resnet: unknown family; allowed: mobilenet, mobilenetv2, plain"),
    (lambda d: d["families"]["plain"].update(kernel={"low": 1, "high": 3}),
     r"families.plain.kernel: unknown parameter; plain allows: conv_blocks, filters, dense_layers, neurons, padding, "
     r"head"),
    (lambda d: d["families"]["plain"].update(padding={"choices": ["valid", "reflect"]}),
     r"families.plain.padding: must be \{choices: \[...\]\} with some of valid, same, got"),
    (lambda d: d["families"]["plain"].update(conv_blocks={"low": 0, "high": 2}),
     r"families.plain.conv_blocks: needs integers 1 <= low <= high, got low=0"),
    (lambda d: d.update(learning_rate={"low": 0.1, "high": 0.01}),
     r"learning_rate: needs numbers 0 < low <= high <= 1"),
    (lambda d: d.update(learning_rate={"choices": [0.01, 3]}), r"learning_rate: must be .* with rates in \(0, 1\]"),
    (lambda d: d.update(learning_rate=0.01), r"learning_rate: must be \{low: <rate>"),
    (lambda d: d["families"]["mobilenet"].pop("blocks"), r"families.mobilenet.blocks: is missing"),
    (lambda d: d["families"]["plain"].update(filters={"low": 64, "high": 4}), r"families.plain.filters: needs integers "
                                                                              r"1 <= low <= high"),
    (lambda d: d["families"]["shufflenet"].update(groups=[2, 4]), r"families.shufflenet.groups: must be \{low"),
    (lambda d: d.update(budgets={"max_ram_mb": 5}), r"budgets.max_ram_mb: unknown budget; allowed: max_params, "
                                                    r"max_macs, max_int8_kb, max_latency_ms"),
    (lambda d: d.update(budgets={"max_latency_ms": -1}), r"budgets.max_latency_ms: must be a positive number"),
])
def test_bad_space_names_the_key_and_the_allowed_values(edit, message):
    data = _default()
    edit(data)
    with pytest.raises(SpaceError, match=message):
        parse_space(data, "my.yaml")


def test_bad_files_are_named(tmp_path):
    with pytest.raises(SpaceError, match="not found"):
        load_space(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("image_sizes: [32\n")
    with pytest.raises(SpaceError, match="broken.yaml: valid YAML without aliases must hold, but got .*line 2"):
        load_space(broken)


def test_a_file_that_is_not_utf8_is_refused_in_one_line(tmp_path):
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("# caf\xe9\nimage_sizes: [32]\n".encode("latin-1"))
    with pytest.raises(SpaceError) as refused:
        load_space(latin)
    assert str(refused.value) == (f"{latin}: UTF-8 text must hold, but byte 0xe9 at offset 5 is not UTF-8; "
                                  "save the file as UTF-8")


@pytest.mark.parametrize("depth", [6, 9])
def test_a_yaml_alias_bomb_is_refused_at_once_with_a_short_message(tmp_path, depth):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, depth + 1)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines + [f"image_sizes: *a{depth}"]) + "\n")
    with pytest.raises(SpaceError) as refused:
        load_space(bomb)
    message = str(refused.value)
    assert message.startswith(f"{bomb}: valid YAML without aliases must hold, but got 'aliases (*name) are not allowed "
                              "at line 2")
    assert len(message) < 300


def test_an_oversized_file_is_refused_before_it_is_parsed(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * 30_000)
    with pytest.raises(SpaceError, match=r"big.yaml: at most 256 KB must hold, but the file has 300,000 bytes"):
        load_space(big)


@pytest.mark.parametrize("family, name, value, message", [
    ("plain", "conv_blocks", {"choices": [1.5]}, "conv_blocks takes whole numbers from 1 to 6, but got 1.5"),
    ("plain", "filters", {"choices": [0.5]}, "filters takes whole numbers from 1 to 512, but got 0.5"),
    ("plain", "filters", {"low": 100000, "high": 100000}, "filters takes whole numbers from 1 to 512, but got 100000"),
    ("plain", "neurons", {"low": 4, "high": 10**9}, "neurons takes whole numbers from 1 to 4096, but got 1000000000"),
    ("mobilenet", "width_multiplier", {"choices": [0.5, 3]},
     "width_multiplier takes numbers from 0.05 to 2, but got 3"),
    ("shufflenet", "groups", {"choices": [2, 2.5]}, "groups takes whole numbers from 1 to 8, but got 2.5"),
])
def test_each_parameter_has_its_type_and_a_bounded_range(family, name, value, message):
    data = _default()
    data["families"][family][name] = value
    with pytest.raises(SpaceError) as refused:
        parse_space(data, "my.yaml")
    assert str(refused.value).startswith(f"my.yaml: families.{family}.{name}: {message}; use values in that range")


def test_an_error_quotes_at_most_a_line_of_a_huge_value():
    data = _default()
    data["generators"] = list(range(100, 1_000_100))
    with pytest.raises(SpaceError) as refused:
        parse_space(data, "my.yaml")
    assert len(str(refused.value)) < 250


@pytest.mark.parametrize("family", registry.family_names())
def test_a_trial_becomes_a_typed_configuration(family):
    data = _default()
    data["families"] = {family: data["families"][family]}
    space = parse_space(data).for_native_size(28)
    study = optuna.create_study(directions=["maximize", "minimize"])
    trial = study.ask()
    config = suggest_config(trial, space, TrainingConfig(epochs=3))
    assert config.architecture.family == family
    assert config.image_size in space.image_sizes and config.generator in space.generators
    assert set(trial.params) == ({"image_size", "generator", "family", "learning_rate"}
                                 | {f"{family}.{p}" for p in registry.family(family).parameters})
    assert config.training.epochs == 3 and config.training.learning_rate == trial.params["learning_rate"]
    assert 0.002 <= config.training.learning_rate <= 0.03
    if family in ("mobilenetv2", "shufflenet"):
        f = trial.params[f"{family}.filters"]
        assert config.architecture.filters == (f,) + tuple(f * 2 ** (i + 1)
                                                           for i in range(trial.params[f"{family}.blocks"]))


def test_plain_options_and_no_hidden_layer_reach_the_configuration():
    data = _default()
    data["families"] = {"plain": {**data["families"]["plain"], "dense_layers": {"low": 0, "high": 0},
                                  "padding": {"choices": ["same"]}, "head": {"choices": ["average"]}}}
    config = suggest_config(optuna.create_study(directions=["maximize", "minimize"]).ask(),
                            parse_space(data).for_native_size(8), TrainingConfig())
    architecture = config.architecture
    assert (architecture.neurons, architecture.padding, architecture.head) == ((), "same", "average")


def test_an_older_space_without_the_new_options_gets_the_papers_choices():
    data = _default()
    for name in ("padding", "head"):
        del data["families"]["plain"][name]
    del data["learning_rate"]
    space = parse_space(data)
    assert space.families["plain"]["padding"].choices == ("valid",) and space.learning_rate is None


def test_mobilenet_width_multiplier_scales_every_block():
    data = _default()
    data["families"] = {"mobilenet": {"width_multiplier": {"choices": [0.5]}, "blocks": {"low": 3, "high": 3},
                                      "neurons": {"low": 16, "high": 16}}}
    config = suggest_config(optuna.create_study(directions=["maximize", "minimize"]).ask(),
                            parse_space(data).for_native_size(32), TrainingConfig())
    assert config.architecture.filters == (16, 32, 64, 128)


def test_command_line_budgets_lay_over_the_files_and_are_recorded():
    data = _default()
    data["budgets"] = {"max_params": 50_000, "max_int8_kb": 64}
    space = with_budgets(parse_space(data), {"max_params": 20_000, "max_latency_ms": 0.5})
    assert (space.budgets.max_params, space.budgets.max_int8_kb, space.budgets.max_latency_ms) == (20_000, 64, 0.5)
    assert space.source["budgets"] == {"max_params": 20_000, "max_int8_kb": 64, "max_latency_ms": 0.5}
    assert with_budgets(space, {}) is space
    with pytest.raises(SpaceError, match="--max-\\* budget options: budgets.max_int8_kb: must be a positive number"):
        with_budgets(space, {"max_int8_kb": 0})
