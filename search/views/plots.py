"""The study's figures as PNG files (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from objectives.architectures.registry import families  # noqa: E402
from search.views.tables import TrialRow, front_of  # noqa: E402


def _save(figure, path: Path, tight: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if tight:
        figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def pareto_plot(rows: list[TrialRow], path: Path, title: str) -> Path:
    """Accuracy against parameters (log scale), every complete trial by family, the front as a step line."""
    figure, axes = plt.subplots(figsize=(7.5, 4.8))
    for family in families():
        mine = [r for r in rows if r.family == family.name]
        if mine:
            axes.scatter([r.params for r in mine], [r.accuracy for r in mine], c=family.colour, alpha=0.55, s=28,
                         label=family.name)
    front = front_of(rows)
    if front:
        params, accuracy = [r.params for r in front], [r.accuracy for r in front]
        axes.step(params, accuracy, where="post", c="black", lw=1, label="Pareto front")
        axes.scatter(params, accuracy, facecolors="none", edgecolors="black", s=90)
        for r in front:
            axes.annotate(f"#{r.number}", (r.params, r.accuracy), textcoords="offset points", xytext=(4, -11),
                          fontsize=8)
    axes.set_xscale("log")
    axes.set_xlabel("parameters (log scale, fewer is better)")
    axes.set_ylabel("mean CV accuracy")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, loc="lower right")
    return _save(figure, path)


def _log2_bin(value: int) -> int:
    return int(np.floor(np.log2(max(value, 1))))


def filters_neurons_heatmap(rows: list[TrialRow], family: str, path: Path) -> Path | None:
    """Best CV accuracy over (filters, neurons), binned by powers of two: the recipe's parameter-reduction figure."""
    mine = [r for r in rows if r.family == family and r.neurons > 0]
    if not mine:
        return None
    xs = sorted({_log2_bin(r.filters) for r in mine})
    ys = sorted({_log2_bin(r.neurons) for r in mine})
    grid = np.full((len(ys), len(xs)), np.nan)
    for r in mine:
        i, j = ys.index(_log2_bin(r.neurons)), xs.index(_log2_bin(r.filters))
        grid[i, j] = np.nanmax([grid[i, j], r.accuracy])
    figure, axes = plt.subplots(figsize=(max(3.6, 1.6 + 0.9 * len(xs)), max(2.4, 1.2 + 0.6 * len(ys))))
    image = axes.imshow(grid, cmap="viridis", vmin=np.nanmin(grid), vmax=np.nanmax(grid), origin="lower", aspect="auto")
    for i in range(len(ys)):
        for j in range(len(xs)):
            if not np.isnan(grid[i, j]):
                axes.text(j, i, f"{grid[i, j]:.2f}", ha="center", va="center", fontsize=8,
                          color="white" if grid[i, j] < np.nanmean(grid) else "black")
    axes.set_xticks(range(len(xs)), [f"{2**b}-{2**(b + 1) - 1}" for b in xs], fontsize=8)
    axes.set_yticks(range(len(ys)), [f"{2**b}-{2**(b + 1) - 1}" for b in ys], fontsize=8)
    axes.set_xlabel("filters (first block)")
    axes.set_ylabel("neurons (first dense)")
    axes.set_title(f"{family}: best CV accuracy", fontsize=10)
    figure.colorbar(image, ax=axes, fraction=0.05)
    return _save(figure, path)


def importance_plot(importances: dict[str, dict[str, float]], path: Path) -> Path:
    """One bar group per objective: how much each parameter decides it (PED-ANOVA, normalised to sum to 1)."""
    # parameters that matter for neither objective would only be empty rows
    names = sorted({name for values in importances.values() for name, value in values.items() if value >= 0.005})
    figure, axes = plt.subplots(figsize=(7, 1.2 + 0.45 * len(names)))
    height = 0.8 / max(len(importances), 1)
    for k, (objective, values) in enumerate(importances.items()):
        axes.barh([i + k * height for i in range(len(names))], [values.get(n, 0.0) for n in names], height=height,
                  label=objective)
    axes.set_yticks([i + height * (len(importances) - 1) / 2 for i in range(len(names))], names, fontsize=8)
    axes.set_xlabel("importance (share, PED-ANOVA: what it takes to reach the best 10%)")
    axes.legend(fontsize=8)
    return _save(figure, path)


def learning_curves_plot(curves: list[dict[str, list[float]]], path: Path, title: str) -> Path:
    """Training loss and accuracy per epoch, one line per fold."""
    # Drawn after every trial: a fixed layout (tight_layout measures every label) and lines without markers
    # (Agg drew the markers slower than everything else in the plot) keep it cheap.
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(8, 3.2), gridspec_kw={"left": 0.07, "right": 0.98,
                                                                                          "bottom": 0.15, "top": 0.83})
    for fold, history in enumerate(curves):
        epochs = history.get("epoch") or range(1, len(history.get("loss", [])) + 1)
        loss_axes.plot(epochs, history.get("loss", []), label=f"fold {fold + 1}")
        accuracy_axes.plot(epochs, history.get("accuracy", []), label=f"fold {fold + 1}")
    loss_axes.set_title("training loss", fontsize=10)
    accuracy_axes.set_title("training accuracy", fontsize=10)
    for axes in (loss_axes, accuracy_axes):
        axes.set_xlabel("epoch")
        axes.grid(alpha=0.3)
    accuracy_axes.legend(fontsize=7)
    figure.suptitle(title, fontsize=10)
    return _save(figure, path, tight=False)


def confusion_matrix_plot(true_names: list[str], predicted: list[str], class_names: list[str], path: Path,
                          title: str) -> Path:
    """Counts of (true class, predicted class) over the test images, classes in the model's order."""
    index = {name: i for i, name in enumerate(class_names)}
    matrix = np.zeros((len(class_names), len(class_names)), dtype=int)
    for true, guess in zip(true_names, predicted):
        matrix[index[true], index[guess]] += 1
    side = 1.5 + 0.45 * len(class_names)
    figure, axes = plt.subplots(figsize=(side + 1, side))
    image = axes.imshow(matrix, cmap="Blues")
    for i in range(len(class_names)):
        for j in range(len(class_names)):
            axes.text(j, i, matrix[i, j], ha="center", va="center", fontsize=8,
                      color="white" if matrix[i, j] > matrix.max() / 2 else "black")
    axes.set_xticks(range(len(class_names)), class_names, rotation=45, ha="right", fontsize=8)
    axes.set_yticks(range(len(class_names)), class_names, fontsize=8)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(f"{title}\naccuracy {np.trace(matrix) / max(matrix.sum(), 1):.3f}", fontsize=9)
    figure.colorbar(image, ax=axes, fraction=0.046)
    return _save(figure, path)
