"""What optuna-dashboard shows per trial: a Markdown note and artifacts (learning curves, export results).

Published from the Optuna storage alone (a ``FrozenTrial``), so a live study callback and a later
backfill write the same thing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import optuna
from optuna.artifacts import FileSystemArtifactStore, upload_artifact
from optuna.trial import FrozenTrial, TrialState
from optuna_dashboard import save_note

from objectives.architectures.registry import family
from objectives.config import ArchitectureConfig
from search.study import (TrialAttr, at_chance, chance, config_dict, description, live_trial, replacements,
                          state_name, stop_reason)
from search.views.plots import confusion_matrix_plot, learning_curves_plot
from search.views.tables import exported_comparison


def trial_note(trial: FrozenTrial, export: dict[str, str] | None = None, level: float | None = None,
               replaced_by: int | None = None) -> str:
    """The trial's configuration, folds, size and time (and its export comparison), in Markdown; ``level`` is
    the study's chance accuracy, marked when the trial is no better; ``replaced_by``, the retry queued in the
    place of an interrupted or lost trial."""
    attrs = trial.user_attrs
    lines = [f"## Trial {trial.number}: {description(trial)}", ""]
    if trial.state == TrialState.COMPLETE:
        accuracies = attrs.get(TrialAttr.FOLD_ACCURACIES, [])
        folds = ", ".join(f"{a:.3f}" for a in accuracies)
        lines += [
            f"- **CV accuracy**: {trial.values[0]:.4f} ± {attrs.get(TrialAttr.CV_ACCURACY_STD, 0):.4f} "
            f"(folds: {folds})",
            f"- **parameters**: {int(trial.values[1]):,}; **MACs per image**: {attrs.get(TrialAttr.MACS) or 0:,}",
            *([f"- **at chance** ({level:.3f}, one class guessed for every image): not a model to ship"]
              if at_chance(trial.values[0], level) else []),
            f"- **training**: {attrs.get(TrialAttr.TRAINING_SECONDS, 0):.1f} s over {len(accuracies)} folds "
            f"of {attrs.get(TrialAttr.EPOCHS)} epochs (whole trial {attrs.get(TrialAttr.TRIAL_SECONDS, 0):.1f} s)",
        ]
    else:
        lines.append(f"- **{state_name(trial)}**: {stop_reason(trial, replaced_by) or 'no reason recorded'}")
        if TrialAttr.FOLD_ACCURACIES in attrs:  # its fidelity: the folds it trained before it stopped
            lines.append(f"- **folds trained**: {len(attrs[TrialAttr.FOLD_ACCURACIES])} "
                         f"({', '.join(f'{a:.3f}' for a in attrs[TrialAttr.FOLD_ACCURACIES])})")
    config = config_dict(trial)
    if config:
        arch = config["architecture"]
        lines += ["", "| setting | value |", "|---|---|",
                  f"| family | {arch['family']} |", f"| image size | {config['image_size']} px |",
                  f"| generator | G{config['generator']} |", f"| filters | {arch['filters']} |",
                  f"| neurons | {arch['neurons']} |"]
        lines.append(f"| peak learning rate | {config['training']['learning_rate']:.4g} |")
        lines += _family_settings(arch)
    if export:
        lines += ["", "### Exported: accuracy on the held-out test split, sizes, LiteRT latency (1 thread)", "",
                  "| " + " | ".join(export) + " |", "|" + "---|" * len(export),
                  "| " + " | ".join(export.values()) + " |",
                  "", f"Confusion matrix: study artifact `trial-{trial.number}_confusion_matrix.png`."]
    return "\n".join(lines)


def _family_settings(arch: dict) -> list[str]:
    """Table rows for the settings only this trial's family reads (a trial recorded before a setting
    existed shows its default)."""
    architecture = ArchitectureConfig.from_dict(arch)
    return [f"| {name} | {architecture.option(name)} |" for name in family(architecture.family).settings]


def upload_learning_curves(trial: optuna.Trial, artifact_dir: Path) -> None:
    """Attach the per-fold learning curves to a running trial (Optuna refuses artifacts once it finished)."""
    curves = trial.user_attrs.get(TrialAttr.LEARNING_CURVES)
    if not curves:
        return
    artifact_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        path = learning_curves_plot(curves, Path(scratch) / f"learning_curves_trial_{trial.number}.png",
                                    f"trial {trial.number}: {description(trial)}")
        upload_artifact(artifact_store=FileSystemArtifactStore(str(artifact_dir)), file_path=str(path),
                        study_or_trial=trial)


def write_note(study: optuna.Study, trial: FrozenTrial) -> None:
    """(Re)write a trial's note; notes live in study attributes, so finished trials take them too."""
    failed = trial.state == TrialState.FAIL
    replaced_by = replacements(study.get_trials(deepcopy=False)).get(trial.number) if failed else None
    note = trial_note(trial, exported_comparison(study.user_attrs, trial.number), chance(study), replaced_by)
    save_note(live_trial(study, trial), note)


def publish_export(study: optuna.Study, trial: FrozenTrial, true_names: list[str], predicted: list[str],
                   class_names: list[str], artifact_dir: Path) -> None:
    """After an export: the trial's note with the Keras / TFLite comparison, and the test-split confusion
    matrix it names (a study artifact: the finished trial takes none)."""
    write_note(study, trial)
    artifact_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        path = confusion_matrix_plot(true_names, predicted, class_names,
                                     Path(scratch) / f"trial-{trial.number}_confusion_matrix.png",
                                     f"trial {trial.number}: Keras on the held-out test split")
        upload_artifact(artifact_store=FileSystemArtifactStore(str(artifact_dir)), file_path=str(path),
                        study_or_trial=study)
