"""BENCHMARKS.md and its plots, written from the saved run results (``bench.results_file``)."""

from __future__ import annotations

import platform
import statistics
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bench.measure import CurvePoint, compute_to_reach, hypervolume_at  # noqa: E402
from bench.results_file import RunResult, load_all  # noqa: E402

COLOURS = {"recipe": "#444444", "service": "#d62728", "random": "#1f77b4", "nsga2": "#2ca02c", "random+es": "#9467bd"}
LABELS = {"recipe": "recipe (Model 1 sizes x generators, then 19x19 filters x neurons)",
          "service": "service default (TPE + early stopping + budget)", "random": "random search",
          "nsga2": "NSGA-II + early stopping + budget", "random+es": "random + early stopping + budget"}


def _points(result: RunResult) -> list[CurvePoint]:
    return [CurvePoint(**p) for p in result.curve]


def _mean_std(values: list[float], fmt: str = "{:.3f}") -> str:
    if not values:
        return "-"
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{fmt.format(statistics.mean(values))} ± {fmt.format(spread)}"


def _by(results: list[RunResult]) -> dict[tuple[str, str], dict[int, RunResult]]:
    table: dict[tuple[str, str], dict[int, RunResult]] = defaultdict(dict)
    for result in results:
        table[(result.dataset, result.method)][result.seed] = result
    return table


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in rows)]


def headline(runs: dict, dataset: str) -> tuple[list[str], dict]:
    """The issue's two questions: compute to reach the recipe's final hypervolume; equal-compute vs random."""
    recipe, service, random = (runs.get((dataset, m), {}) for m in ("recipe", "service", "random"))
    header = ["seed", "recipe final HV", "recipe compute (epoch-images)", "recipe wall (min)",
              "service compute to reach it (share of recipe's)", "service wall to reach it, min (share of recipe's)",
              "service HV at 10% of recipe's compute", "equal compute (share)", "service HV", "random HV"]
    rows, shares, gains = [], [], []
    for seed in sorted(recipe):
        target, budget = recipe[seed].final_hypervolume, recipe[seed].compute
        row = [str(seed), f"{target:.3f}", f"{budget:,}", f"{recipe[seed].wall_seconds / 60:.1f}"]
        if seed in service:
            points = _points(service[seed])
            reached = compute_to_reach(points, target)
            share = reached / budget if reached is not None else None
            shares.append(share)
            wall = next((p.wall_seconds for p in points if reached is not None and p.compute >= reached), None)
            row += [f"{share:.1%}" if share is not None else f"not within {service[seed].compute / budget:.0%}",
                    f"{wall / 60:.1f} ({wall / recipe[seed].wall_seconds:.0%})" if wall is not None else "-",
                    f"{hypervolume_at(points, int(0.1 * budget)):.3f}"]
            if seed in random:
                equal = min(service[seed].compute, random[seed].compute)
                mine, theirs = hypervolume_at(points, equal), hypervolume_at(_points(random[seed]), equal)
                gains.append(mine - theirs)
                row += [f"{equal / budget:.0%}", f"{mine:.3f}", f"{theirs:.3f}"]
        rows.append(row + ["- (not run yet)"] * (len(header) - len(row)))
    return _table(header, rows), {"shares": shares, "gains": gains}


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
                     f"{statistics.mean(trials):.0f}" if trials else "-", f"{statistics.mean(pruned):.0%}" if pruned else "-"])
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


def curve_plot(runs: dict, dataset: str, path: Path, axis: str) -> Path:
    """Hypervolume against compute (or wall time) for every run: the recipe's final level as a line."""
    figure, axes = plt.subplots(figsize=(8, 4.6))
    key = "compute" if axis == "compute" else "wall_seconds"
    for method, colour in COLOURS.items():
        for i, (seed, result) in enumerate(sorted(runs.get((dataset, method), {}).items())):
            xs = [p[key] / (60 if axis == "wall" else 1) for p in result.curve]
            axes.step(xs, [p["hypervolume"] for p in result.curve], where="post", color=colour, alpha=0.8,
                      lw=1.3, label=LABELS[method] if i == 0 else None)
    for seed, result in runs.get((dataset, "recipe"), {}).items():
        axes.axhline(result.final_hypervolume, color="#444444", ls=":", lw=0.8)
    return _finish(figure, axes, path, "compute spent (epochs x training images, log)" if axis == "compute"
                   else "wall time (minutes, log)", "hypervolume (accuracy, log10 params)",
                   f"{dataset}: hypervolume of the front found so far (every seed)")


def fronts_plot(runs: dict, dataset: str, seed: int, path: Path) -> Path:
    figure, axes = plt.subplots(figsize=(7.5, 4.6))
    for method in ("recipe", "service", "random"):
        result = runs.get((dataset, method), {}).get(seed)
        if result and result.front:
            accuracy, params = zip(*result.front)
            axes.step(params, accuracy, where="post", color=COLOURS[method], label=f"{method} ({result.compute:,} epoch-images)")
            axes.scatter(params, accuracy, color=COLOURS[method], s=14)
    return _finish(figure, axes, path, "parameters (log)", "mean CV accuracy", f"{dataset}, seed {seed}: final fronts")


def _finish(figure, axes, path: Path, xlabel: str, ylabel: str, title: str) -> Path:
    """Log x axis, labels, grid and legend; saved as PNG."""
    axes.set_xscale("log")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def write_report(results_dir: Path, out: Path, command: str) -> Path:
    results = load_all(results_dir)
    runs = _by(results)
    datasets = sorted({r.dataset for r in results})
    lines = ["# Benchmarks: the service's search against the recipe and random search", "",
             f"Written by `{command}` (`make bench`) on {datetime.now(timezone.utc):%Y-%m-%d}, from the results in "
             f"`{results_dir}/`. Machine: {platform.machine()}, 2 cores, no GPU; each data set ran in its own process "
             "with one TensorFlow thread, the two side by side.", ""]
    if results:
        s = results[0].settings
        lines += [f"Every method trains every configuration the same way: {s['folds']}-fold stratified CV, {s['epochs']} "
                  f"epochs per fold, batch 32, Adam; compute is counted as epochs x training images over the folds "
                  f"actually trained. Hypervolume: the area of (accuracy above chance) x (orders of magnitude of "
                  f"parameters below {s['max_params']:,}) that the front covers; reference point (1/classes, "
                  f"log10 {s['max_params']:,}), fixed for all methods. The service runs until "
                  f"{s['share']:.0%} of the recipe's compute; the other searches until the service's compute.", ""]
    for dataset in datasets:
        table, summary = headline(runs, dataset)
        images = next(iter(runs[(dataset, "recipe")].values())).settings.get("images") if (dataset, "recipe") in runs else "?"
        reached = [s for s in summary["shares"] if s is not None]
        lines += [f"## {dataset} ({images} images)", ""]
        if summary["shares"]:
            shares = ", ".join(f"{s:.1%}" if s is not None else "not within its compute" for s in summary["shares"])
            lines.append(f"- The service reached the recipe's final hypervolume in {len(reached)} of {len(summary['shares'])} "
                         f"seeds; share of the recipe's compute it needed, seed by seed: {shares}.")
        if summary["gains"]:
            lines.append(f"- At equal compute its hypervolume exceeds random search's by {statistics.mean(summary['gains']):+.3f} "
                         f"on average ({sum(g > 0 for g in summary['gains'])} of {len(summary['gains'])} seeds better).")
        lines += ["", *table, ""]
        compute_png = curve_plot(runs, dataset, results_dir / f"{dataset}_hypervolume_compute.png", "compute")
        wall_png = curve_plot(runs, dataset, results_dir / f"{dataset}_hypervolume_wall.png", "wall")
        fronts_png = fronts_plot(runs, dataset, min(runs.get((dataset, "recipe"), {0: None})), results_dir / f"{dataset}_fronts.png")
        lines += [f"![hypervolume against compute]({compute_png.as_posix()})", "",
                  f"![hypervolume against wall time]({wall_png.as_posix()})", "", f"![final fronts]({fronts_png.as_posix()})", "",
                  "### Samplers at equal compute", "", *sampler_table(runs, dataset), "",
                  "### Early stopping replayed on runs that trained every fold", "",
                  "Each complete trial, in the order it ran, is judged against the front of the trials kept before it; "
                  "the rule stops it after the first fold whose optimistic bound is dominated.", "",
                  *early_stopping_table(runs, dataset), "",
                  "### Per-trial overhead", "",
                  "Wall time of whole runs (trial after trial, with sampling, model building, storage writes, "
                  "MLflow logging, dashboard notes and learning-curve plots) split into `fit` (training the folds), "
                  "validating the folds, and the rest.", "", *overhead_table(runs, dataset), ""]
    notes = Path(__file__).with_name("notes.md")  # the reading of these numbers, kept by hand beside the code
    if notes.exists():
        lines += [notes.read_text()]
    out.write_text("\n".join(lines))
    return out
