"""A study's self-contained HTML report: the front, the recipe's tables, importances and exports.

PNG figures are written beside the HTML and embedded in it (base64), so the one file can be mailed or
attached to an MLflow run and still show everything.
"""

from __future__ import annotations

import base64
import html
import math
import warnings
from pathlib import Path

import optuna

from search.views.plots import filters_neurons_heatmap, importance_plot, pareto_plot
from search.views.tables import CHANCE_MARK, TrialRow, front_of, macs_text, outcomes, state_counts, trial_rows

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:0.6em 0 1.4em}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f3f3f3}td.l,th.l{text-align:left}tr.front td{font-weight:600}
img{max-width:100%;border:1px solid #eee;margin:0.4em 0}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
.muted{color:#777}
"""


def _image(path: Path | None, alt: str) -> str:
    if path is None:
        return f'<p class="muted">{html.escape(alt)}: not enough trials yet.</p>'
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(header: list[str], body: list[list[str]], classes: list[str] | None = None, left: int = 1) -> str:
    def row(cells, tag, css=""):
        inner = "".join(f'<{tag}{" class=l" if i < left else ""}>{html.escape(str(c))}</{tag}>'
                        for i, c in enumerate(cells))
        return f"<tr{css}>{inner}</tr>"

    classes = classes or [""] * len(body)
    rows = [row(r, "td", f' class="{c}"' if c else "") for r, c in zip(body, classes)]
    return f"<table>{row(header, 'th')}{''.join(rows)}</table>"


def size_generator_table(rows: list[TrialRow], family: str, sizes: list[int], generators: list[int]) -> str:
    """The recipe's main table: per image size and generator, the best trial's mean ± std fold accuracy."""
    body = []
    for size in sizes:
        cells = [f"{size}px"]
        for generator in generators:
            cell = [r for r in rows if r.family == family and r.image_size == size and r.generator == generator]
            if cell:
                best = max(cell, key=lambda r: r.accuracy)
                cells.append(f"{best.accuracy:.3f} ± {best.accuracy_std:.3f} (n={len(cell)})")
            else:
                cells.append("–")
        body.append(cells)
    return _table(["size"] + [f"G{g}" for g in generators], body)


def importances(study: optuna.Study) -> dict[str, dict[str, float]]:
    """Importances for accuracy and for log10(parameters), over the parameters every trial has.

    Optuna's default evaluator (PED-ANOVA) explains what it takes to make the target *low*, so accuracy
    goes in negated: the importances say what makes a model accurate, and what makes it small."""
    found = {}
    targets = (("cv_accuracy", lambda t: -t.values[0]), ("log10 params", lambda t: math.log10(max(t.values[1], 1))))
    for name, target in targets:
        try:
            # "few trials per parameter value": true of every small study, said per value
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                found[name] = optuna.importance.get_param_importances(study, target=target)
        except (RuntimeError, ValueError, ZeroDivisionError):
            continue  # fewer than two complete trials, or a parameter with a single value
    return {k: v for k, v in found.items() if v}


def export_table(rows: list[TrialRow]) -> str:
    exported = [r for r in rows if r.export]
    if not exported:
        return '<p class="muted">No trial exported yet: run <code>python -m search export --study NAME</code>.</p>'
    keys = list(dict.fromkeys(k for r in exported for k in r.export))
    def show(v):
        return f"{v:.4g}" if isinstance(v, float) else str(v)
    return _table(["trial"] + keys, [[f"#{r.number}"] + [show(r.export.get(k, "")) for k in keys] for r in exported])


def write_report(study: optuna.Study, out_dir: Path) -> Path:
    """Write ``report.html`` and its PNGs into ``out_dir``; return the HTML path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = trial_rows(study)
    space = study.user_attrs.get("space", {})
    sizes = sorted({r.image_size for r in rows} | set(space.get("image_sizes", [])))
    generators = sorted({r.generator for r in rows} | set(space.get("generators", [])))
    families = sorted({r.family for r in rows})
    pareto = pareto_plot(rows, out_dir / "pareto_front.png", f"study {study.study_name}") if rows else None
    found = importances(study)
    importance = importance_plot(found, out_dir / "importances.png") if found else None
    front = front_of(rows)
    parts = [
        f"<h1>Study {html.escape(study.study_name)}</h1>",
        f"<p>Trials: {state_counts(study)}. "
        f"Classes: {html.escape(', '.join(study.user_attrs.get('class_names', [])))}. "
        f"Training: {html.escape(str(study.user_attrs.get('training', {})))}.</p>",
        "<h2>Pareto front</h2>", _image(pareto, "Pareto front"),
        _table(["trial", "family", "size", "generator", "filters", "neurons", "CV accuracy", "params", "MACs", ""],
               [[f"#{r.number}", r.family, f"{r.image_size}px", f"G{r.generator}", r.filters, r.neurons,
                 f"{r.accuracy:.3f} ± {r.accuracy_std:.3f}", f"{r.params:,}", macs_text(r.macs),
                 CHANCE_MARK if r.at_chance else ""] for r in front], left=2),
        "<h2>How the trials ended</h2>",
        '<p class="muted">Only trials that trained every fold can be on the front; the others stopped at a rung '
        "(their Pareto rank among the trials with as many folds), once the front was out of reach, or before "
        "training.</p>",
        _table(["how the trial ended", "trials"], [[what, count] for what, count in outcomes(study)]),
        "<h2>CV accuracy by image size × generator</h2>",
        '<p class="muted">Best trial per cell: mean ± std over its folds; n = complete trials in the cell.</p>',
    ]
    for family in families:
        parts += [f"<h3>{family}</h3>", size_generator_table(rows, family, sizes, generators)]
    parts += ["<h2>Accuracy over filters × neurons</h2>",
              '<p class="muted">Best CV accuracy per bin (powers of two), every size and generator.</p>']
    for family in families:
        parts.append(_image(filters_neurons_heatmap(rows, family, out_dir / f"heatmap_{family}.png"), f"{family} heat "
                                                                                                      "map"))
    parts += ["<h2>Parameter importances</h2>", _image(importance, "parameter importances"),
              "<h2>Exported models (Keras vs TFLite)</h2>", export_table(rows)]
    page = f"<!doctype html><html><head><meta charset='utf-8'><title>Study {html.escape(study.study_name)}</title>" \
           f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>"
    path = out_dir / "report.html"
    path.write_text(page)
    return path
