"""One dataset's benchmark: which runs it needs, which saved results it keeps, and the order it runs them.

Settings are kept per method, so that a saved result is reused exactly when what produced it is unchanged:

- the recipe's result depends on the recipe's own settings only (its training: 15 epochs, batch 32, a
  constant 0.001; its grid; the data-derived sizes and the generators; folds; the data; the hypervolume's
  reference). Changing the service leaves it valid: the recipe is a one-off cost.
- the service's result depends on the service's settings (its training, space, sampler, early stopping,
  start points) and on its limit: ``share`` of the recipe's wall time, so a re-run recipe re-runs it.
- the other searches depend on the same service settings of their own, and on the compute they are
  given: the service's.

A result saved under other settings (an older benchmark's, say) is not taken; its run is done again and
the file replaced. Each run's study is named with a digest of its settings, so a changed setting starts a
new study while an interrupted run with the same settings resumes its own.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import optuna

from bench.hypervolume import Reference
from bench.methods import (
    COMPARED,
    RECIPE,
    SERVICE,
    Bench,
    Method,
    method_named,
    run_recipe,
    run_search,
    space_data,
    study_name,
    training_settings,
)
from bench.results_file import RunResult, load_all, measure, save
from objectives.data.data_check import check_data
from spaces.image_sizes import native_size
from spaces.space import parse_space
from spaces.start_points import start_points

HEADLINE = (RECIPE.name, SERVICE.name, "random")


@dataclass(frozen=True)
class Plan:
    bench: Bench
    dataset: str
    folder: Path  # class-per-folder images
    classes: int
    results: Path  # where the JSON results are kept
    seeds: tuple[int, ...] = (0, 1, 2)
    share: float = 0.2  # the service searches until this share of the recipe's wall time
    methods: tuple[str, ...] = tuple(m.name for m in (RECIPE, SERVICE, *COMPARED))
    rerun: tuple[str, ...] = ()  # methods run again even when a saved result matches (their studies are deleted)

    @property
    def reference(self) -> Reference:
        return Reference(accuracy=1.0 / self.classes, log10_params=math.log10(self.bench.max_params))


def _plain_json(value):
    """As the value reads back from a JSON file (tuples become lists), so saved and fresh settings compare equal."""
    return json.loads(json.dumps(value))


def digest(settings: dict) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:8]


def sizes_and_generators(plan: Plan) -> tuple[list[int], list[int]]:
    """The image sizes derived from the data (as the service derives them) and the space's generators."""
    space = parse_space(space_data(plan.bench, RECIPE), "the benchmark's space")
    space = space.for_native_size(native_size(check_data(plan.folder, plan.bench.folds).sizes))
    return list(space.image_sizes), list(space.generators)


def _data_settings(plan: Plan, sizes: Iterable[int], generators: Iterable[int]) -> dict:
    return {"data": str(plan.folder), "images": sum(1 for _ in Path(plan.folder).rglob("*.png")),
            "folds": plan.bench.folds, "max_params": plan.bench.max_params, "sizes": list(sizes),
            "generators": list(generators)}


def recipe_settings(plan: Plan, sizes: Iterable[int], generators: Iterable[int]) -> dict:
    """Everything the recipe's result depends on, and nothing of the service's."""
    return _plain_json({"method": RECIPE.name, **_data_settings(plan, sizes, generators),
                        "training": training_settings(plan.bench.recipe_training(0)), "grid": list(plan.bench.grid)})


def search_settings(plan: Plan, method: Method, sizes: Iterable[int], generators: Iterable[int], limit: dict) -> dict:
    """Everything a search's result depends on: the service's settings as this method runs them, and its limit."""
    return _plain_json({"method": method.name, **_data_settings(plan, sizes, generators),
                        "training": training_settings(plan.bench.service_training(0)),
                        "space": space_data(plan.bench, method), "sampler": method.sampler,
                        "early_stopping": method.early_stopping,
                        "start_points": _start_points(plan, method, sizes) if method.start_points else [],
                        "limit": limit})


def _start_points(plan: Plan, method: Method, sizes: Iterable[int]) -> list[dict]:
    """The queued trials themselves, so a change of ``spaces.start_points`` runs the searches again."""
    return start_points(parse_space({**space_data(plan.bench, method), "image_sizes": sorted(sizes)}))


def _delete_study(plan: Plan, name: str) -> None:
    try:
        optuna.delete_study(study_name=name, storage=plan.bench.storage(plan.dataset))
    except KeyError:
        pass


class _Runs:
    """One data set's runs, each computed once: the service's limits come from the recipe's run of the same
    seed and the compared samplers' from the service's, so each asks for what it builds on."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.sizes, self.generators = sizes_and_generators(plan)
        self.saved = {(r.method, r.seed): r for r in load_all(plan.results) if r.dataset == plan.dataset}
        self.fresh: set[tuple[str, int]] = set()  # run by this process: a --rerun method is not run twice

    def run(self, method: Method, seed: int, settings: dict, start) -> RunResult:
        """A saved result with the same settings, else a new run (a ``--rerun`` method always runs anew)."""
        plan = self.plan
        found = self.saved.get((method.name, seed))
        if found is not None and found.settings == settings and (
                method.name not in plan.rerun or (method.name, seed) in self.fresh):
            return found
        name = digest(settings)
        if method.name in plan.rerun:
            _delete_study(plan, study_name(plan.dataset, method, seed, name))
        result = measure(start(name), plan.dataset, method.name, seed, plan.reference,
                         trained_every_fold=not method.early_stopping, settings=settings)
        print(f"[{plan.dataset} seed {seed}] {method.name}: hypervolume {result.final_hypervolume:.3f} with "
              f"{result.compute:,} epoch-images in {result.wall_seconds:.0f} s -> {save(result, plan.results)}",
              flush=True)
        self.saved[(method.name, seed)] = result
        self.fresh.add((method.name, seed))
        return result

    def recipe(self, seed: int) -> RunResult:
        plan = self.plan
        return self.run(RECIPE, seed, recipe_settings(plan, self.sizes, self.generators),
                        lambda name: run_recipe(plan.bench, plan.dataset, plan.folder, seed, self.sizes,
                                                self.generators, name))

    def service(self, seed: int) -> RunResult:
        plan, baseline = self.plan, self.recipe(seed)
        wall = plan.share * baseline.wall_seconds
        limit = {"share_of_recipe_wall": plan.share, "recipe_wall_seconds": round(baseline.wall_seconds, 3)}
        return self.run(SERVICE, seed, search_settings(plan, SERVICE, self.sizes, self.generators, limit),
                        lambda name: run_search(plan.bench, plan.dataset, plan.folder, SERVICE, seed, wall_seconds=wall,
                                                digest=name))

    def compared(self, method: Method, seed: int) -> RunResult:
        plan, compute = self.plan, self.service(seed).compute
        return self.run(method, seed,
                        search_settings(plan, method, self.sizes, self.generators, {"service_compute": compute}),
                        lambda name: run_search(plan.bench, plan.dataset, plan.folder, method, seed, compute=compute,
                                                digest=name))

    def step(self, name: str, seed: int) -> RunResult:
        method = method_named(name)  # an unknown name fails here, before any training
        if method is RECIPE:
            return self.recipe(seed)
        return self.service(seed) if method is SERVICE else self.compared(method, seed)


def run_dataset(plan: Plan) -> dict[tuple[str, int], RunResult]:
    """Run (or resume) every wanted method on every seed; returns the results by (method, seed).

    The headline comparison (recipe, service, random) first for every seed, the other samplers after: an
    interrupted benchmark then still has the headline over all seeds."""
    (plan.bench.work / plan.dataset).mkdir(parents=True, exist_ok=True)
    runs = _Runs(plan)
    for group in ([n for n in HEADLINE if n in plan.methods], [n for n in plan.methods if n not in HEADLINE]):
        for seed in plan.seeds:
            for name in group:
                runs.step(name, seed)
    return {key: value for key, value in runs.saved.items() if key[1] in plan.seeds and key[0] in plan.methods}
