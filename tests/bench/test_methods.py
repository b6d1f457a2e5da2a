"""The benchmark's spaces and trainings: the recipe as the paper's code trained it, the service as users get it."""

import warnings

import optuna

from bench.methods import COMPARED, RECIPE, SERVICE, Bench, bench_space, study_name
from bench.recipe import THINNED_GRID, stage_one, stage_two
from objectives.config import TrainingConfig
from spaces.space import load_space
from spaces.suggest import suggest_config


def test_every_recipe_configuration_is_a_point_of_the_recipe_space_at_the_recipe_rate(tmp_path):
    bench = Bench(tmp_path, folds=2, max_params=100_000)
    space = load_space(bench_space(bench, RECIPE)).for_native_size(28)
    assert space.learning_rate is None  # every recipe trial trains at the recipe's own constant rate
    study = optuna.create_study(directions=["maximize", "minimize"])
    configurations = (stage_one(list(space.image_sizes), list(space.generators))
                      + stage_two(space.image_sizes[0], 1, bench.grid))
    for params in configurations[:12] + configurations[-3:] + configurations[12:15]:
        study.enqueue_trial(params)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # Optuna warns when an enqueued value is outside its distribution
            config = suggest_config(study.ask(), space, bench.recipe_training(0))
        assert config.architecture.filters == (params["plain.filters"],)
        assert config.architecture.neurons == (params["plain.neurons"],) * params["plain.dense_layers"]
        assert (config.architecture.padding, config.architecture.head) == ("valid", "flatten")
        assert (config.image_size, config.generator) == (params["image_size"], params["generator"])
        training = config.training
        assert (training.learning_rate, training.schedule, training.epochs) == (0.001, "constant", 15)


def test_the_recipe_trains_as_the_papers_code_and_the_searches_as_the_service_does(tmp_path):
    bench = Bench(tmp_path, folds=5, max_params=100_000)
    assert bench.grid == THINNED_GRID
    assert bench.training(RECIPE, 3) == TrainingConfig(epochs=15, batch_size=32, learning_rate=0.001, folds=5, seed=3,
                                                       schedule="constant")
    for method in (SERVICE, *COMPARED):
        assert bench.training(method, 3) == TrainingConfig(folds=5, seed=3)  # the service's defaults
        assert bench.training(method, 3).epochs == 40 and bench.training(method, 3).schedule == "cosine"
        assert load_space(bench_space(bench, method)).learning_rate == load_space().learning_rate  # searched peak


def test_the_service_runs_under_the_device_budget_and_names_are_unique(tmp_path):
    bench = Bench(tmp_path, folds=2, max_params=50_000)
    assert load_space(bench_space(bench, SERVICE)).budgets.max_params == 50_000
    assert load_space(bench_space(bench, COMPARED[0])).budgets.max_params is None  # random search
    assert load_space(bench_space(bench, RECIPE)).budgets.max_params is None
    assert study_name("digits", SERVICE, 2) != study_name("fashion", SERVICE, 2)
    assert study_name("digits", SERVICE, 2, "aaaa") != study_name("digits", SERVICE, 2, "bbbb")
