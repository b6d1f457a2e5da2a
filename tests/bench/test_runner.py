"""The benchmark's runs for real on tiny data (1 epoch, 2 folds): settings kept per method, so a saved recipe
result survives a change of the service and an old result is never taken for a new one; resume; limits."""

import time
from dataclasses import replace

import optuna
import pytest
import yaml

from bench.compute_limit import WallLimit, wall_spent
from bench.cpu_clock import cpu_seconds
from bench.methods import RECIPE, SERVICE, Bench
from bench.results_file import RunResult, load_all, result_path, save
from bench.runner import HEADLINE, Plan, recipe_settings, run_dataset, search_settings
from spaces.space import DEFAULT_SPACE
from tests.conftest import digits_subset


def _plain_only() -> dict:
    """One generator and the plain family alone: the fastest real trials (no 10-second lightweight traces)."""
    families = yaml.safe_load(DEFAULT_SPACE.read_text())["families"]
    return {"generators": [1], "families": {"plain": families["plain"]}}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, digits_root):
    root = tmp_path_factory.mktemp("bench")
    folder = digits_subset(digits_root, root / "digits", per_class=12, classes=3)
    bench = Bench(root / "work", folds=2, max_params=100_000, grid=(1, 2), recipe_epochs=1, service_epochs=1,
                  space_overrides=_plain_only())
    plan = Plan(bench, "digits", folder, 3, root / "results", seeds=(0,), share=0.01, methods=HEADLINE)
    # A result an older benchmark saved (3 epochs for every method, one setting list for all): never reused.
    old = RunResult("digits", "recipe", 0, "digits-recipe-seed0", {"accuracy": 1 / 3, "log10_params": 5.0},
                    [{"trial": 0, "compute": 1, "wall_seconds": 1.0, "hypervolume": 9.9}], {}, {"COMPLETE": 1}, [],
                    settings={"epochs": 3, "folds": 2, "max_params": 100_000, "share": 0.15, "grid": 19})
    save(old, plan.results)
    return plan, run_dataset(plan)


def _study(plan: Plan, result: RunResult) -> optuna.Study:
    return optuna.load_study(study_name=result.study, storage=plan.bench.storage(plan.dataset))


def test_the_recipe_trains_every_fold_as_the_papers_code_on_its_grid(first_run):
    plan, results = first_run
    recipe = results[("recipe", 0)]
    trials = _study(plan, recipe).trials
    # 8 px x G1, then 2 x 2
    assert len(trials) == 1 + 4 and all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    for trial in trials:
        training = trial.user_attrs["config"]["training"]
        assert (training["schedule"], training["learning_rate"], training["batch_size"], training["epochs"]) == \
            ("constant", 0.001, 32, 1)
        assert "learning_rate" not in trial.params and len(trial.user_attrs["fold_accuracies"]) == 2
    assert {(t.params["plain.filters"], t.params["plain.neurons"]) for t in trials[1:]} == {(1, 1), (1, 2), (2, 1),
                                                                                            (2, 2)}
    clock = cpu_seconds(_study(plan, recipe))  # both sessions (stage 1, the sweep) timed every trial on the CPU
    assert sorted(clock) == [t.number for t in trials] and all(seconds > 0 for seconds in clock.values())
    assert recipe.curve[-1]["cpu_seconds"] == pytest.approx(sum(clock.values()), abs=0.01)
    # the old 3-epoch file was replaced by this run's result, with the recipe's own settings
    on_disk = {(r.method, r.seed): r for r in load_all(plan.results)}[("recipe", 0)]
    assert on_disk.settings == recipe.settings and on_disk.settings["training"]["epochs"] == 1
    assert on_disk.final_hypervolume == recipe.final_hypervolume != 9.9 and recipe.compute > 1


def test_the_service_searches_with_its_own_training_and_random_search_at_its_compute(first_run):
    plan, results = first_run
    service, random = results[("service", 0)], results[("random", 0)]
    trials = _study(plan, service).trials
    assert all(t.user_attrs["config"]["training"]["schedule"] == "cosine" for t in trials if "config" in t.user_attrs)
    assert any("learning_rate" in t.params for t in trials)  # the peak rate is searched
    # the wall limit: it stopped at the first trial past 1% of the recipe's wall time
    assert service.settings["limit"] == {"share_of_recipe_wall": 0.01,
                                         "recipe_wall_seconds": round(results[("recipe", 0)].wall_seconds, 3)}
    assert random.settings["limit"] == {"service_compute": service.compute} and random.compute >= service.compute


def test_a_changed_service_reruns_the_searches_and_keeps_the_recipe_then_resumes_without_training(first_run):
    plan, results = first_run
    recipe_file = result_path(plan.results, "digits", "recipe", 0)
    recipe_bytes, recipe_trials = recipe_file.read_bytes(), len(_study(plan, results[("recipe", 0)]).trials)
    changed = replace(plan, bench=replace(plan.bench, service_epochs=2))
    again = run_dataset(changed)
    assert recipe_file.read_bytes() == recipe_bytes  # the one-off cost is kept
    assert len(_study(plan, again[("recipe", 0)]).trials) == recipe_trials
    service = again[("service", 0)]
    assert service.study != results[("service", 0)].study and service.settings["training"]["epochs"] == 2
    assert {t.user_attrs["epochs"] for t in _study(plan, service).trials if "epochs" in t.user_attrs} == {2}
    assert again[("random", 0)].settings["limit"] == {"service_compute": service.compute}
    # the same settings once more: every result is taken from its file, nothing trains
    storage = optuna.storages.RDBStorage(plan.bench.storage(plan.dataset))
    before = {s.study_name: s.n_trials for s in optuna.get_all_study_summaries(storage)}
    files = {p.name: p.read_bytes() for p in plan.results.glob("*.json")}
    assert run_dataset(changed) == again
    assert {s.study_name: s.n_trials for s in optuna.get_all_study_summaries(storage)} == before
    assert {p.name: p.read_bytes() for p in plan.results.glob("*.json")} == files


def test_settings_are_split_by_method(tmp_path):
    bench = Bench(tmp_path, folds=5, max_params=100_000)
    plan = Plan(bench, "digits", tmp_path, 10, tmp_path / "results")
    base = recipe_settings(plan, [8], [1, 2, 3, 4])
    service_changed = replace(plan, share=0.5, bench=replace(bench, service_epochs=7))
    assert recipe_settings(service_changed, [8], [1, 2, 3, 4]) == base
    assert recipe_settings(replace(plan, bench=replace(bench, grid=(1, 19))), [8], [1, 2, 3, 4]) != base
    assert recipe_settings(replace(plan, bench=replace(bench, recipe_epochs=3)), [8], [1, 2, 3, 4]) != base
    assert base["training"] == {"epochs": 15, "batch_size": 32, "learning_rate": 0.001, "folds": 5,
                                "schedule": "constant"}
    limit = {"share_of_recipe_wall": 0.2, "recipe_wall_seconds": 100.0}
    search = search_settings(plan, SERVICE, [8], [1, 2, 3, 4], limit)
    assert search_settings(service_changed, SERVICE, [8], [1, 2, 3, 4], limit) != search
    assert search["training"]["epochs"] == 40 and search["space"]["learning_rate"] and "learning_rate" not in \
        search_settings(plan, RECIPE, [8], [1], limit)["space"]


def test_the_wall_limit_stops_a_study_at_the_first_trial_past_it():
    study = optuna.create_study(directions=["maximize", "minimize"])
    seen = []

    def objective(trial):
        time.sleep(0.05)
        return 0.5, 10

    study.optimize(objective, n_trials=50, callbacks=[lambda s, t: seen.append(wall_spent(s)), WallLimit(0.12)])
    assert seen[-1] >= 0.12 and all(spent < 0.12 for spent in seen[:-1]) and 2 <= len(study.trials) <= 3
