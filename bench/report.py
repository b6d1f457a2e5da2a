"""BENCHMARKS.md and its plots, written from the saved run results (``bench.results_file``)."""

from __future__ import annotations

import platform
import statistics
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from bench.measure import (
    CurvePoint,
    budgets_behind,
    compute_to_reach,
    cpu_to_reach,
    hypervolume_at,
    hypervolume_by_wall,
    wall_to_reach,
)
from bench.plots import LABELS, curve_plot, fronts_plot
from bench.results_file import RunResult, load_all


def _points(result: RunResult) -> list[CurvePoint]:
    return [CurvePoint(**p) for p in result.curve]


def _by(results: list[RunResult]) -> dict[tuple[str, str], dict[int, RunResult]]:
    table: dict[tuple[str, str], dict[int, RunResult]] = defaultdict(dict)
    for result in results:
        table[(result.dataset, result.method)][result.seed] = result
    return table


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in rows)]


TARGET_WALL_SHARE = 0.10  # the service must reach the recipe's final hypervolume within 10% of its wall time
TARGET_OVERHEAD = 0.05  # per-trial overhead (neither training nor validating) below 5% of a trial's wall time


def headline(runs: dict, dataset: str) -> tuple[list[str], dict]:
    """The two questions, run by run: wall time (and compute) to reach the recipe's final hypervolume;
    ahead of random search at every compute budget."""
    recipe, service, random = (runs.get((dataset, m), {}) for m in ("recipe", "service", "random"))
    header = ["seed", "recipe final HV", "recipe trials", "recipe compute (epoch-images)", "recipe wall (min)",
              "recipe CPU (min)", "service wall to reach it, min (share of recipe's)",
              "service CPU to reach it, min (share of recipe's)", "service compute to reach it (share of recipe's)",
              f"service HV at {TARGET_WALL_SHARE:.0%} of recipe's wall", "service final HV (wall share run)",
              "random HV at service's compute (service's)", "service ahead of random at every compute budget",
              "service ahead of random at every wall-time budget"]
    rows = []
    summary: dict[str, list] = {"seeds": [], "wall_shares": [], "cpu_shares": [], "compute_shares": [], "ahead": [],
                                "ahead_wall": [], "gains": []}
    for seed in sorted(recipe):
        base = recipe[seed]
        target, budget, wall = base.final_hypervolume, base.compute, base.wall_seconds
        cpu = base.curve[-1].get("cpu_seconds", 0.0) if base.curve else 0.0
        row = [str(seed), f"{target:.3f}", str(sum(base.states.values())), f"{budget:,}", f"{wall / 60:.1f}",
               f"{cpu / 60:.1f}"]
        if seed in service:
            summary["seeds"].append(seed)
            run = service[seed]
            points = _points(run)
            reached_wall, reached_compute = wall_to_reach(points, target), compute_to_reach(points, target)
            reached_cpu = cpu_to_reach(points, target)
            summary["wall_shares"].append(reached_wall / wall if reached_wall is not None else None)
            summary["cpu_shares"].append(None if not cpu else reached_cpu / cpu if reached_cpu is not None
                                         else "not reached")
            summary["compute_shares"].append(reached_compute / budget if reached_compute is not None else None)
            row += [f"{reached_wall / 60:.1f} ({reached_wall / wall:.1%})" if reached_wall is not None
                    else f"not within its {run.wall_seconds / wall:.0%}",
                    f"{reached_cpu / 60:.1f} ({reached_cpu / cpu:.1%})" if reached_cpu is not None and cpu else "-",
                    f"{reached_compute:,} ({reached_compute / budget:.1%})" if reached_compute is not None else "-",
                    f"{hypervolume_by_wall(points, TARGET_WALL_SHARE * wall):.3f}",
                    f"{run.final_hypervolume:.3f} ({run.wall_seconds / wall:.0%})"]
            if seed in random:
                row += _against_random(run, random[seed], summary)
        rows.append(row + ["- (not run yet)"] * (len(header) - len(row)))
    return _table(header, rows), summary


def _against_random(run: RunResult, other: RunResult, summary: dict) -> list[str]:
    """The service against random search at the same compute, and at every budget up to the shorter run."""
    points, theirs_points = _points(run), _points(other)
    equal = min(run.compute, other.compute)
    mine, theirs = hypervolume_at(points, equal), hypervolume_at(theirs_points, equal)
    behind = budgets_behind(points, theirs_points, equal)
    seconds = min(run.wall_seconds, other.wall_seconds)
    behind_wall = budgets_behind(points, theirs_points, seconds, axis="wall_seconds")
    summary["gains"].append(mine - theirs)
    summary["ahead"].append(not behind)
    summary["ahead_wall"].append(not behind_wall)
    return [f"{theirs:.3f} ({mine:.3f})",
            "yes" if not behind else f"no: behind at {len(behind)} budgets, {behind[0]:,.0f} to {behind[-1]:,.0f}",
            f"yes (up to {seconds / 60:.1f} min)" if not behind_wall
            else f"no: behind at {len(behind_wall)}, {behind_wall[0]:.0f} to {behind_wall[-1]:.0f} s"]


def _epochs(training: dict) -> str:
    return f"{training['epochs']} epoch" + ("s" if training["epochs"] != 1 else "")


def settings_lines(runs: dict) -> list[str]:
    """How each method trained, read from the saved results' own settings."""
    recipe = next((r for (d, m), by_seed in runs.items() if m == "recipe" for r in by_seed.values()), None)
    search = next((r for (d, m), by_seed in runs.items() if m == "service" for r in by_seed.values()), None)
    lines = []
    if recipe is not None:
        t, grid = recipe.settings["training"], recipe.settings["grid"]
        lines.append(f"- **recipe**, trained as the paper's code trained it: {_epochs(t)} per fold, batch "
                     f"{t['batch_size']}, Adam at a {t['schedule']} {t['learning_rate']:g}; the paper's Model 1 "
                     f"(Conv2D 30 valid -> MaxPool -> Flatten -> Dense 50) at every image size x generator, then the "
                     f"parameter-reduction sweep on the winner over a {len(grid)} x {len(grid)} grid of filters x "
                     f"neurons ({', '.join(map(str, grid))}), **thinned from the paper's 19 x 19** (1..19 each) to "
                     f"fit this machine, every fold of every configuration trained.")
    if search is not None:
        t, rate = search.settings["training"], search.settings["space"].get("learning_rate", {})
        lines.append(f"- **service** (and random search), with the service's default training: {_epochs(t)} per "
                     f"fold, batch {t['batch_size']}, Adam with a peak rate searched in [{rate.get('low')}, "
                     f"{rate.get('high')}] decaying along a {t['schedule']} to 0; the default space (the plain family "
                     "widened to 1 filter and 1 neuron so the recipe's grid lies inside it). The service: start "
                     "points (the plain family's smallest network, 1 filter with valid padding; Model 1 halved down "
                     "to 1 filter, smallest first; then Model 1 as the paper built it), TPE, early stopping across "
                     f"folds, a device budget of {search.settings['max_params']:,} parameters; it runs until "
                     f"{search.settings['limit']['share_of_recipe_wall']:.0%} of the recipe's wall time. Random "
                     f"search: no start points, no early stopping, no budget, until the service's compute.")
    return lines


def sampler_table(runs: dict, dataset: str) -> list[str]:
    """Seed by seed, so that a sampler run on fewer seeds is compared on those seeds only."""
    rows = []
    service = runs.get((dataset, "service"), {})
    seeds = sorted(service)
    for method in ("service", "nsga2", "random+es", "random"):
        found = runs.get((dataset, method), {})
        values = {s: hypervolume_at(_points(found[s]), service[s].compute) for s in seeds if s in found}
        pruned = [found[s].states.get("PRUNED", 0) / max(sum(found[s].states.values()), 1) for s in found]
        trials = [sum(found[s].states.values()) for s in found]
        rows.append([LABELS[method], *(f"{values[s]:.3f}" if s in values else "-" for s in seeds),
                     f"{statistics.mean(trials):.0f}" if trials else "-",
                     f"{statistics.mean(pruned):.0%}" if pruned else "-"])
    return _table(["search", *(f"HV, seed {s}" for s in seeds), "trials", "pruned"], rows)


def early_stopping_table(runs: dict, dataset: str) -> list[str]:
    """Per margin, summed over the runs that trained every fold: what the rule would save and lose."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0.0, 0.0])
    for method in ("recipe", "random"):
        for result in runs.get((dataset, method), {}).values():
            for margin, replay in (result.replay or {}).items():
                total = totals[margin]
                total[0] += replay["pruned"]
                total[1] += replay["compute_saved"]
                total[2] += replay["compute_total"]
                total[3] += replay["hypervolume_full"]
                total[4] += replay["hypervolume_kept"]
    rows = []
    for margin, (pruned, saved, spent, full, kept) in sorted(totals.items(), key=lambda item: float(item[0])):
        name = f"{float(margin):g}" + (" (certain bound)" if float(margin) >= 1 else "")
        rows.append([name, f"{pruned:.0f}", f"{saved / spent:.0%}" if spent else "-",
                     f"{1 - kept / full:.2%}" if full else "-"])
    return _table(["margin", "trials it would stop", "compute saved", "front hypervolume lost"], rows)


def overhead_table(runs: dict, dataset: str) -> list[str]:
    rows = []
    for method in ("recipe", "service", "random", "nsga2", "random+es"):
        found = list(runs.get((dataset, method), {}).values())
        if not found:
            continue
        wall = sum(r.overhead["wall_seconds"] for r in found)
        fit = sum(r.overhead["fit_seconds"] for r in found)
        evaluate = sum(r.overhead["evaluate_seconds"] for r in found)
        trials = sum(sum(r.states.values()) for r in found)
        rest = wall - fit - evaluate
        rows.append([method, str(trials), f"{wall / trials:.1f}", f"{fit / wall:.1%}", f"{evaluate / wall:.1%}",
                     f"{1 - fit / wall:.1%}", f"{rest / wall:.1%}", f"{rest / trials * 1000:.0f}"])
    return _table(["method", "trials", "wall s / trial", "in fit", "validating", "not in fit",
                   "neither (overhead)", "overhead ms / trial"], rows)


def _target_lines(summary: dict) -> list[str]:
    """Whether the wall-time and compute targets were met, run by run."""
    lines: list[str] = []
    if summary["wall_shares"]:
        met = [share is not None and share <= TARGET_WALL_SHARE for share in summary["wall_shares"]]
        shares = ", ".join(f"seed {seed}: " + (f"{share:.1%}" if share is not None else "not reached")
                           for seed, share in zip(summary["seeds"], summary["wall_shares"]))
        lines.append(f"- Recipe's final hypervolume within {TARGET_WALL_SHARE:.0%} of its wall time: met in "
                     f"{sum(met)} of {len(met)} runs (wall share needed: {shares}).")
        timed = [(seed, share) for seed, share in zip(summary["seeds"], summary["cpu_shares"]) if share is not None]
        met_cpu = [share != "not reached" and share <= TARGET_WALL_SHARE for _, share in timed]
        cpu_shares = ", ".join(f"seed {seed}: " + (f"{share:.1%}" if share != "not reached" else share)
                               for seed, share in timed)
        if timed:
            lines.append(f"- The same on CPU time (what each run cost, whatever else shared the machine): met in "
                         f"{sum(met_cpu)} of {len(met_cpu)} runs ({cpu_shares}).")
    if summary["ahead"]:
        lines.append(f"- Ahead of (or level with) random search at every compute budget in {sum(summary['ahead'])} "
                     f"of {len(summary['ahead'])} runs; at equal compute its hypervolume exceeds random search's by "
                     f"{statistics.mean(summary['gains']):+.3f} on average. Ahead or level at every wall-time "
                     f"budget (up to the shorter run) in {sum(summary['ahead_wall'])} of {len(summary['ahead_wall'])} "
                     "runs.")
    return lines


def _dataset_lines(runs: dict, dataset: str, results_dir: Path) -> list[str]:
    """One data set's section: targets met, the headline table, figures, samplers, early stopping, overhead."""
    table, summary = headline(runs, dataset)
    lines: list[str] = []
    recipe_runs = runs.get((dataset, "recipe"), {})
    first = next(iter(recipe_runs.values()), None)
    images = first.settings.get("images", "?") if first else "?"
    sizes = ", ".join(map(str, first.settings.get("sizes", []))) if first else "?"
    lines += [f"## {dataset} ({images} images; sizes {sizes} px)", ""]
    lines += _target_lines(summary)
    lines += ["", *table, ""]
    compute_png = curve_plot(runs, dataset, results_dir / f"{dataset}_hypervolume_compute.png", "compute",
                             TARGET_WALL_SHARE)
    wall_png = curve_plot(runs, dataset, results_dir / f"{dataset}_hypervolume_wall.png", "wall", TARGET_WALL_SHARE)
    fronts_png = fronts_plot(runs, dataset, min(recipe_runs or {0: None}), results_dir / f"{dataset}_fronts.png")
    lines += [f"![hypervolume against compute]({compute_png.as_posix()})", "",
              f"![hypervolume against wall time]({wall_png.as_posix()})", "",
              f"![final fronts]({fronts_png.as_posix()})", ""]
    if any(runs.get((dataset, m)) for m in ("nsga2", "random+es")):
        lines += ["### Samplers at equal compute", "", *sampler_table(runs, dataset), ""]
    lines += ["### Early stopping replayed on runs that trained every fold", "",
              "Each complete trial, in the order it ran, is judged against the front of the trials kept before it; "
              "the rule stops it after the first fold whose optimistic bound is dominated.", "",
              *early_stopping_table(runs, dataset), "",
              "### Per-trial overhead", "",
              "Wall time of whole runs (trial after trial, with sampling, model building, storage writes, "
              "MLflow logging, dashboard notes and learning-curve plots) split into `fit` (training the folds), "
              f"validating the folds, and the rest: the overhead, to be below {TARGET_OVERHEAD:.0%}.", "",
              *overhead_table(runs, dataset), ""]
    return lines


def write_report(results_dir: Path, out: Path, command: str) -> Path:
    results = load_all(results_dir)
    runs = _by(results)
    lines = ["# Benchmarks: the service's search against the recipe and random search", "",
             f"Written by `{command}` (`make bench`) on {datetime.now(timezone.utc):%Y-%m-%d}, from the results in "
             f"`{results_dir}/`. Machine: {platform.machine()}, 2 cores, no GPU, shared with other work; each data set "
             "ran in its own process with one TensorFlow thread, the two side by side.", ""]
    if results:
        s = results[0].settings
        lines += [f"Every method runs through the service's own study machinery on the same data: {s['folds']}-fold "
                  f"stratified CV, image sizes from the data (as the service derives them), the four generators. "
                  f"Compute is counted as epochs x training images over the folds actually trained; wall time as the "
                  f"sequential run, trial after trial, everything between trials included, and CPU time as the "
                  f"process's CPU seconds over the same trials (every thread; what the run would take alone on a "
                  f"core). Hypervolume: the area of "
                  f"(accuracy above chance) x (orders of magnitude of parameters below {s['max_params']:,}) that the "
                  f"front covers; reference point (1/classes, log10 {s['max_params']:,}), fixed for all methods.", "",
                  *settings_lines(runs), "",
                  f"Targets: the service reaches the recipe's final hypervolume within {TARGET_WALL_SHARE:.0%} of the "
                  f"recipe's wall time in every run, and is ahead of random search at every compute budget; per-trial "
                  f"overhead below {TARGET_OVERHEAD:.0%}.", ""]
    for dataset in sorted({r.dataset for r in results}):
        lines += _dataset_lines(runs, dataset, results_dir)
    notes = Path(__file__).with_name("notes.md")  # the reading of these numbers, kept by hand beside the code
    if notes.exists():
        lines += [notes.read_text()]
    out.write_text("\n".join(lines))
    return out
