"""The benchmark's methods, each a real study run by the service's own ``run_study`` (same objective,
storage, MLflow logging and per-trial callbacks), so compute and wall time are counted alike.

- ``recipe``: the recipe's procedure (``bench.recipe``), trained as the paper's code trained it (15 epochs
  per fold, batch 32, Adam at a constant 0.001), every fold of every configuration.
- ``service``: the default search as a user gets it -- the service's default training (40 epochs per fold,
  the peak rate searched and decayed along a cosine), start points, the default sampler, early stopping
  across folds, a device budget -- stopped at a share of the recipe's wall time.
- ``random``: plain random search over the same space and training (no start points, no early stopping, no
  budget), at the service's compute.
- ``nsga2`` and ``random+es``: the service with another sampler, at the service's compute (the sampler
  comparison; ``service`` is the TPE entry).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import optuna
import yaml

from bench.compute_limit import ComputeLimit, WallLimit, spent, wall_spent
from bench.cpu_clock import CpuClock
from bench.recipe import THINNED_GRID, best_size_and_generator, stage_one, stage_two
from objectives.config import TrainingConfig
from search.runner.run import RunSettings, run_study
from search.scheduler.samplers import DEFAULT_SAMPLER
from spaces.space import DEFAULT_SPACE

OPEN_BUDGET = 100_000  # trials: only the compute or wall-time limit ends a compared search
RECIPE_EPOCHS = 15  # the paper's code: model.fit(..., epochs=15, batch_size=32) with Adam's default rate
RECIPE_LEARNING_RATE = 0.001  # Keras' Adam default, which the paper's code kept, constant
SERVICE_EPOCHS = TrainingConfig().epochs  # the service's default training (40 epochs, cosine)


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
METHODS = (RECIPE, SERVICE, *COMPARED)


@dataclass(frozen=True)
class Bench:
    work: Path  # storages, caches and the bench's MLflow store
    folds: int
    max_params: int  # the device budget, and the hypervolume's reference size
    grid: tuple[int, ...] = THINNED_GRID  # the recipe's reduction sweep: these filters x these neurons
    recipe_epochs: int = RECIPE_EPOCHS
    service_epochs: int = SERVICE_EPOCHS
    # Tests only: how the service's default space is changed (e.g. one family) before the bench widens it.
    space_overrides: dict = field(default_factory=dict)

    def storage(self, dataset: str) -> str:
        return f"sqlite:///{self.work / dataset / 'optuna.db'}"

    def recipe_training(self, seed: int) -> TrainingConfig:
        """The paper's training: a constant Adam rate of 0.001, 15 epochs, batch 32."""
        return TrainingConfig(epochs=self.recipe_epochs, batch_size=32, learning_rate=RECIPE_LEARNING_RATE,
                              folds=self.folds, seed=seed, schedule="constant")

    def service_training(self, seed: int) -> TrainingConfig:
        """The service's defaults (cosine decay from a peak rate the space searches)."""
        return replace(TrainingConfig(), epochs=self.service_epochs, folds=self.folds, seed=seed)

    def training(self, method: Method, seed: int) -> TrainingConfig:
        return self.recipe_training(seed) if method == RECIPE else self.service_training(seed)


def space_data(bench: Bench, method: Method) -> dict:
    """The default space with the plain family widened down to 1 filter and 1 neuron, so the recipe's
    grid lies inside it: every method searches the same configurations. The recipe's space searches no
    learning rate (its trials all train at the recipe's constant rate); the service's has its device budget."""
    data = yaml.safe_load(DEFAULT_SPACE.read_text())
    data.update(bench.space_overrides)
    plain = data["families"]["plain"]
    plain["filters"] = {"low": 1, "high": max(plain["filters"]["high"], max(bench.grid), 30), "log": True}
    plain["neurons"] = {"low": 1, "high": max(plain["neurons"]["high"], max(bench.grid), 50), "log": True}
    data.pop("budgets", None)
    if method == RECIPE:
        data.pop("learning_rate", None)
    if method.device_budget:
        data["budgets"] = {"max_params": bench.max_params}
    return data


def bench_space(bench: Bench, method: Method) -> Path:
    """``space_data`` written where the study can read it (one file per kind of space)."""
    kind = "recipe" if method == RECIPE else "budget" if method.device_budget else "open"
    path = bench.work / f"space-{kind}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(space_data(bench, method), sort_keys=False))
    return path


def method_named(name: str) -> Method:
    return next(m for m in METHODS if m.name == name)


def study_name(dataset: str, method: Method, seed: int, digest: str = "") -> str:
    """One study per dataset, method, seed and settings (``digest``): changed settings start a new study."""
    return f"{dataset}-{method.name.replace('+', '-')}-seed{seed}" + (f"-{digest}" if digest else "")


def training_settings(training: TrainingConfig) -> dict:
    """What a result depends on of a training config (its seed is the run's own)."""
    return {key: value for key, value in asdict(training).items() if key != "seed"}


def _settings(bench: Bench, dataset: str, data_dir: Path, method: Method, seed: int, trials: int, digest: str,
              limit=None, **more) -> RunSettings:
    """With a ``CpuClock`` (made anew by each session that trains) before the limit, which may stop the study."""
    return RunSettings(callbacks=(CpuClock(), *([limit] if limit else [])),
                       study=study_name(dataset, method, seed, digest), storage=bench.storage(dataset), trials=trials,
                       data_dir=data_dir, space=bench_space(bench, method), training=bench.training(method, seed),
                       sampler=method.sampler, cache_root=bench.work / "cache", early_stopping=method.early_stopping,
                       start_points=method.start_points, **more)


def _enqueue_once(study: optuna.Study, configurations: list[dict], after: int) -> None:
    """Queue a stage's configurations unless a previous (interrupted) run already did."""
    if len(study.get_trials(deepcopy=False)) == after:
        for params in configurations:
            study.enqueue_trial(params)


def run_recipe(bench: Bench, dataset: str, data_dir: Path, seed: int, sizes: list[int], generators: list[int],
               digest: str = "") -> optuna.Study:
    """Stage 1 (Model 1 at every size x generator), then the grid's reduction sweep on the winner."""
    first = stage_one(sizes, generators)
    settings = _settings(bench, dataset, data_dir, RECIPE, seed, len(first), digest, prepare_only=True)
    _enqueue_once(run_study(settings), first, after=0)
    study = run_study(replace(settings, prepare_only=False, callbacks=(CpuClock(),)))
    size, generator = best_size_and_generator(study)
    print(f"recipe stage 1 on {dataset}: best is {size}px with generator {generator}; sweeping filters x neurons "
          f"{'/'.join(map(str, bench.grid))}", flush=True)
    second = stage_two(size, generator, bench.grid)
    total = len(first) + len(second)
    _enqueue_once(run_study(replace(settings, trials=total)), second, after=len(first))
    return run_study(replace(settings, trials=total, prepare_only=False, callbacks=(CpuClock(),)))


def run_search(bench: Bench, dataset: str, data_dir: Path, method: Method, seed: int, *, compute: int | None = None,
               wall_seconds: float | None = None, digest: str = "") -> optuna.Study:
    """A search that stops once it has spent ``compute`` epoch-images or ``wall_seconds`` of trial time
    (resumed if interrupted)."""
    if (compute is None) == (wall_seconds is None):
        raise ValueError("give a search exactly one limit: compute or wall_seconds")
    limit = ComputeLimit(compute) if compute is not None else WallLimit(wall_seconds)
    settings = _settings(bench, dataset, data_dir, method, seed, OPEN_BUDGET, digest, limit)
    existing = run_study(replace(settings, prepare_only=True))
    settings = replace(settings, callbacks=(CpuClock(), limit))  # a new clock for the session that trains
    if (spent(existing) >= compute) if compute is not None else (wall_spent(existing) >= wall_seconds):
        return existing
    return run_study(settings)
