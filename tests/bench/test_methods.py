"""The benchmark's space holds the recipe's configurations, so every method searches the same space."""

import warnings

import optuna

from bench.methods import Bench, bench_space, study_name, SERVICE
from bench.recipe import stage_one, stage_two
from objectives.config import TrainingConfig
from spaces.space import load_space
from spaces.suggest import suggest_config


def test_every_recipe_configuration_is_a_point_of_the_benchmark_space(tmp_path):
    bench = Bench(tmp_path, epochs=1, folds=2, max_params=100_000)
    space = load_space(bench_space(bench, device_budget=False)).for_native_size(28)
    study = optuna.create_study(directions=["maximize", "minimize"])
    configurations = stage_one(list(space.image_sizes), list(space.generators)) + stage_two(space.image_sizes[0], 1)
    for params in configurations[:12] + configurations[-3:] + configurations[12:15]:
        study.enqueue_trial(params)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # Optuna warns when an enqueued value is outside its distribution
            config = suggest_config(study.ask(), space, TrainingConfig())
        assert config.architecture.filters == (params["plain.filters"],)
        assert config.architecture.neurons == (params["plain.neurons"],) * params["plain.dense_layers"]
        assert (config.image_size, config.generator) == (params["image_size"], params["generator"])


def test_the_service_runs_under_the_device_budget_and_names_are_unique(tmp_path):
    bench = Bench(tmp_path, epochs=1, folds=2, max_params=50_000)
    assert load_space(bench_space(bench, device_budget=True)).budgets.max_params == 50_000
    assert load_space(bench_space(bench, device_budget=False)).budgets.max_params is None
    assert study_name("digits", SERVICE, 2) != study_name("fashion", SERVICE, 2)
