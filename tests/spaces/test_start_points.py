"""A new study's first trials: the recipe's Model 1 and its halvings, smallest first, inside the space."""

import optuna
import yaml

from objectives.config import TrainingConfig
from spaces.space import DEFAULT_SPACE, load_space, parse_space
from spaces.start_points import start_points
from spaces.suggest import suggest_config


def test_model_1_and_its_halvings_smallest_first_at_the_smallest_size_with_generator_1():
    points = start_points(load_space().for_native_size(28))
    assert [(p["plain.filters"], p["plain.neurons"]) for p in points] == [(1, 4), (1, 4), (2, 4), (4, 6), (8, 12),
                                                                          (15, 25), (30, 50), (30, 50)]
    assert all(p["image_size"] == 14 and p["generator"] == 1 and p["plain.conv_blocks"] == 1 for p in points)
    assert all(p["learning_rate"] == 0.01 for p in points)
    # the plain family's bottom, the halvings as small networks work best, then Model 1 as the paper built it
    assert [(p["plain.dense_layers"], p["plain.padding"])
            for p in points] == [(0, "valid")] + [(0, "same")] * 6 + [(1, "valid")]


def test_points_are_clipped_into_the_space_and_not_repeated():
    data = yaml.safe_load(DEFAULT_SPACE.read_text())
    data.update(image_sizes=[40, 24], generators=[3, 4])
    data["families"]["plain"].update(conv_blocks={"low": 2, "high": 3}, filters={"low": 4, "high": 8},
                                     neurons={"choices": [16, 64]}, dense_layers={"low": 1, "high": 2},
                                     padding={"choices": ["valid"]})
    points = start_points(parse_space(data))
    assert [(p["plain.filters"], p["plain.neurons"]) for p in points] == [(4, 16), (8, 16), (8, 64)]
    assert all(p["plain.dense_layers"] == 1 and p["plain.padding"] == "valid" for p in points)
    assert all(p["image_size"] == 24 and p["generator"] == 3 and p["plain.conv_blocks"] == 2 for p in points)
    del data["families"]["plain"]
    assert start_points(parse_space(data)) == []


def test_every_start_point_is_sampled_exactly_as_enqueued():
    space = load_space().for_native_size(8)
    study = optuna.create_study(directions=["maximize", "minimize"])
    for params in start_points(space):
        study.enqueue_trial(params)
        config = suggest_config(study.ask(), space, TrainingConfig())
        assert config.architecture.filters == (params["plain.filters"],)
        assert config.architecture.neurons == (params["plain.neurons"],) * params["plain.dense_layers"]
        assert config.training.learning_rate == params["learning_rate"]


def test_large_images_start_from_small_strided_cnns_at_the_sizes_near_32_and_64_px():
    space = load_space().for_native_size(512)
    points = start_points(space)
    assert [(p["image_size"], p["strided.filters"], p["strided.growth"], p["strided.blocks"]) for p in points] == [
        (32, 4, 1, 3), (64, 4, 1, 3), (32, 8, 2, 3), (64, 8, 2, 3)]
    assert all(p["family"] == "strided" and p["strided.dense_layers"] == 0 and p["generator"] == 1 for p in points)
    study = optuna.create_study(directions=["maximize", "minimize"])
    for params in points:
        study.enqueue_trial(params)
        config = suggest_config(study.ask(), space, TrainingConfig())
        assert config.architecture.family == "strided" and config.image_size == params["image_size"]


def test_images_of_48_px_start_where_their_sizes_allow():
    points = start_points(load_space().for_native_size(48))  # sizes 24, 36, 48: below the strided start
    assert {p["family"] for p in points} == {"plain"}
    points = start_points(load_space().for_native_size(60))  # 32, 48, 60
    assert [(p["image_size"], p["strided.blocks"]) for p in points] == [(32, 3), (60, 3), (32, 3), (60, 3)]
