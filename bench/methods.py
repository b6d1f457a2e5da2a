"""The benchmark's methods, each a real study run by the service's own ``run_study`` (same objective,
storage, MLflow logging and per-trial callbacks), so compute and wall time are counted alike.

- ``recipe``: the recipe's procedure (``bench.recipe``), every fold of every configuration trained.
- ``service``: the default search -- start points, the default sampler, early stopping across folds, a
  device budget.
- ``random``: plain random search over the same space (no start points, no early stopping, no budget), at
  the service's compute.
- ``nsga2`` and ``random+es``: the service with another sampler, at the service's compute (the sampler
  comparison; ``service`` is the TPE entry).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import optuna
import yaml

from bench.compute_limit import ComputeLimit, spent
from bench.recipe import GRID, best_size_and_generator, stage_one, stage_two
from objectives.config import TrainingConfig
from search.run import RunSettings, run_study
from search.samplers import DEFAULT_SAMPLER
from spaces.space import DEFAULT_SPACE

OPEN_BUDGET = 100_000  # trials: only the compute limit ends a compared search


@dataclass(frozen=True)
class Method:
    name: str
    sampler: str
    early_stopping: bool
    device_budget: bool
    start_points: bool  # the recipe's Model 1 and its halvings first (spaces.start_points)


RECIPE = Method("recipe", "random", early_stopping=False, device_budget=False, start_points=False)  # all enqueued
SERVICE = Method("service", DEFAULT_SAMPLER, early_stopping=True, device_budget=True, start_points=True)
COMPARED = (
    Method("random", "random", early_stopping=False, device_budget=False, start_points=False),
    Method("nsga2", "nsga2", early_stopping=True, device_budget=True, start_points=True),
    Method("random+es", "random", early_stopping=True, device_budget=True, start_points=True),
)


@dataclass(frozen=True)
class Bench:
    work: Path  # storages, caches and the bench's MLflow store
    epochs: int
    folds: int
    max_params: int  # the device budget, and the hypervolume's reference size
    grid: int = max(GRID)  # the recipe sweeps 1..grid filters x 1..grid neurons (the paper: 19)

    def storage(self, dataset: str) -> str:
        return f"sqlite:///{self.work / dataset / 'optuna.db'}"

    def training(self, seed: int) -> TrainingConfig:
        return TrainingConfig(epochs=self.epochs, folds=self.folds, seed=seed)


def bench_space(bench: Bench, device_budget: bool) -> Path:
    """The default space with the plain family widened down to 1 filter and 1 neuron, so the recipe's
    grid lies inside it: every method searches the same configurations."""
    data = yaml.safe_load(DEFAULT_SPACE.read_text())
    plain = data["families"]["plain"]
    plain["filters"] = {"low": 1, "high": max(plain["filters"]["high"], max(GRID), 30), "log": True}
    plain["neurons"] = {"low": 1, "high": max(plain["neurons"]["high"], max(GRID), 50), "log": True}
    data.pop("budgets", None)
    if device_budget:
        data["budgets"] = {"max_params": bench.max_params}
    path = bench.work / ("space-budget.yaml" if device_budget else "space.yaml")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def study_name(dataset: str, method: Method, seed: int) -> str:
    return f"{dataset}-{method.name.replace('+', '-')}-seed{seed}"


def _settings(bench: Bench, dataset: str, data_dir: Path, method: Method, seed: int, trials: int,
              **more) -> RunSettings:
    return RunSettings(study=study_name(dataset, method, seed), storage=bench.storage(dataset), trials=trials,
                       data_dir=data_dir, space=bench_space(bench, method.device_budget),
                       training=bench.training(seed), sampler=method.sampler, cache_root=bench.work / "cache",
                       early_stopping=method.early_stopping, start_points=method.start_points, **more)


def _enqueue_once(study: optuna.Study, configurations: list[dict], after: int) -> None:
    """Queue a stage's configurations unless a previous (interrupted) run already did."""
    if len(study.get_trials(deepcopy=False)) == after:
        for params in configurations:
            study.enqueue_trial(params)


def run_recipe(bench: Bench, dataset: str, data_dir: Path, seed: int, sizes: list[int], generators: list[int]) -> optuna.Study:
    """Stage 1 (Model 1 at every size x generator), then the 19 x 19 reduction sweep on the winner."""
    first, second = stage_one(sizes, generators), None
    settings = _settings(bench, dataset, data_dir, RECIPE, seed, len(first), prepare_only=True)
    _enqueue_once(run_study(settings), first, after=0)
    study = run_study(replace(settings, prepare_only=False))
    size, generator = best_size_and_generator(study)
    print(f"recipe stage 1 on {dataset}: best is {size}px with generator {generator}; sweeping {bench.grid} filters "
          f"x {bench.grid} neurons", flush=True)
    second = stage_two(size, generator, range(1, bench.grid + 1))
    total = len(first) + len(second)
    _enqueue_once(run_study(replace(settings, trials=total)), second, after=len(first))
    return run_study(replace(settings, trials=total, prepare_only=False))


def run_search(bench: Bench, dataset: str, data_dir: Path, method: Method, seed: int, compute: int) -> optuna.Study:
    """A search that stops once it has spent ``compute`` epoch-images (resumed if interrupted)."""
    settings = _settings(bench, dataset, data_dir, method, seed, OPEN_BUDGET, callbacks=(ComputeLimit(compute),))
    existing = run_study(replace(settings, prepare_only=True))
    if spent(existing) >= compute:
        return existing
    return run_study(settings)
