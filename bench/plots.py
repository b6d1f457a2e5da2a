"""The benchmark's figures: hypervolume curves and final fronts per method, as PNG files."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLOURS = {"recipe": "#444444", "service": "#d62728", "random": "#1f77b4", "nsga2": "#2ca02c", "random+es": "#9467bd"}
LABELS = {"recipe": "recipe (Model 1 sizes x generators, then filters x neurons; 15 epochs at a constant 0.001)",
          "service": "service default (TPE + early stopping + budget)", "random": "random search",
          "nsga2": "NSGA-II + early stopping + budget", "random+es": "random + early stopping + budget"}




def curve_plot(runs: dict, dataset: str, path: Path, axis: str, target_share: float) -> Path:
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
        if axis == "wall":  # the target: the recipe's final level within this share of its wall time
            axes.axvline(target_share * result.wall_seconds / 60, color="#444444", ls="--", lw=0.8)
    return _finish(figure, axes, path, "compute spent (epochs x training images, log)" if axis == "compute"
                   else "wall time (minutes, log)", "hypervolume (accuracy, log10 params)",
                   f"{dataset}: hypervolume of the front found so far (every seed)")


def fronts_plot(runs: dict, dataset: str, seed: int, path: Path) -> Path:
    figure, axes = plt.subplots(figsize=(7.5, 4.6))
    for method in ("recipe", "service", "random"):
        result = runs.get((dataset, method), {}).get(seed)
        if result and result.front:
            accuracy, params = zip(*result.front)
            axes.step(params, accuracy, where="post", color=COLOURS[method],
                      label=f"{method} ({result.compute:,} epoch-images)")
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
