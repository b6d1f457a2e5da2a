"""The model card of a phone build: what the model is, how well each runtime did, and how to feed it.

JSON for programs, Markdown for people; both are written from the same dict, so they cannot disagree.
Every number comes from the export summary, measured on the two files the build holds.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from export.phones.checks import PhoneChecks
from export.phones.child_classifier import DISAGREEMENT_ALARM
from export.phones.mediapipe_tasks import MediaPipeCheck
from export.registry import Registration
from search.study import ExportSummary, StudyRecord, masked

CARD_JSON = "model_card.json"
CARD_MARKDOWN = "model_card.md"
RESIZE_DESCRIPTION = ("the whole image squared as MediaPipe's ImageClassifier does (corner-aligned bilinear sampling, "
                      "no antialiasing); give MediaPipe the original frame, do not resize it first")


def model_card(study: str, summary: ExportSummary, record: StudyRecord, registration: Registration,
               promoted_at: str, file_names: dict[str, str], checks: PhoneChecks) -> dict:
    """The card's content; ``file_names`` maps "float32", "int8", "labels" to the build's file names;
    ``checks`` are MediaPipe's and the legacy Task Library's runs on the build's own files."""
    mediapipe, task_library = checks.mediapipe, checks.task_library
    return {
        "study": study,
        "trial": summary.trial,
        "promoted_at": promoted_at,
        "model": summary.description,
        "configuration": summary.config,
        "cv_accuracy": summary.cv_accuracy,
        "cv_accuracy_std": summary.cv_accuracy_std,
        "params": summary.params,
        "test": {
            "images": summary.test_images,
            "accuracy": {"keras": summary.keras_accuracy, "tflite_float32": summary.float32["accuracy"],
                         "tflite_int8": summary.int8["accuracy"], "phone_path_int8": summary.phone_int8_accuracy,
                         "mediapipe_float32": mediapipe.accuracy["float32"],
                         "mediapipe_int8": mediapipe.accuracy["int8"],
                         "task_library_float32": task_library.accuracy.get("float32"),  # None: not installed
                         "task_library_int8": task_library.accuracy.get("int8")},
            "top1_agreement_with_keras": {"tflite_float32": summary.float32["agreement"],
                                          "tflite_int8": summary.int8["agreement"]},
            "float32_max_abs_diff": summary.float32["max_abs_diff"],
            "int8_drop": summary.int8_drop,
            "int8_drop_alarm": summary.int8_drop_alarm,
            "mediapipe_alarm": mediapipe.alarm,
            "mediapipe_alarm_cause": mediapipe.announcement(summary.trial),
            "task_library_alarm": task_library.alarm,
            "files": record.test_files,
        },
        "files": {
            file_names["float32"]: {"bytes": summary.float32["size_bytes"], "sha256": summary.sha256["float32"],
                                    "median_latency_ms_1_thread": summary.float32["latency_ms"], "input": "float32",
                                    "mediapipe": _mediapipe_entry(mediapipe, "float32")},
            file_names["int8"]: {"bytes": summary.int8["size_bytes"], "sha256": summary.sha256["int8"],
                                 "median_latency_ms_1_thread": summary.int8["latency_ms"], "input": "uint8",
                                 "mediapipe": _mediapipe_entry(mediapipe, "int8")},
            file_names["labels"]: {"lines": len(summary.class_names)},
        },
        "input": {"width": summary.image_size, "height": summary.image_size, "channels": 3, "color_space": "RGB",
                  "normalisation": summary.normalisation, "resize": RESIZE_DESCRIPTION},
        "class_names": summary.class_names,
        "mlflow": {**asdict(registration), "tracking_uri": masked(registration.tracking_uri)},  # cards are shared
        "data": {"data_dir": record.data_dir, "fingerprint": record.fingerprint},
        "exported_at": summary.exported_at,
    }


def _mediapipe_entry(check: MediaPipeCheck, variant: str) -> dict:
    """What MediaPipe's ImageClassifier made of one file, beside what LiteRT made of it."""
    return {"accuracy": check.accuracy[variant], "litert_accuracy": check.litert_accuracy[variant],
            "gap": check.disagreement[variant], "alarm": abs(check.disagreement[variant]) > DISAGREEMENT_ALARM}


def _shown(accuracy: float | None) -> str:
    """An accuracy as the card's table shows it; None is a runtime this host does not have (the legacy Task
    Library's environment, which needs Python 3.11)."""
    return "not run (no .venv-task-library: it needs Python 3.11)" if accuracy is None else f"{accuracy:.3f}"


def card_markdown(card: dict) -> str:
    """The card for people: the numbers, then what to put where."""
    test, accuracy = card["test"], card["test"]["accuracy"]
    lines = [
        f"# {card['study']} / trial {card['trial']}: {card['model']}",
        "",
        f"Promoted {card['promoted_at']} (exported {card['exported_at']}). {card['params']:,} parameters.",
        f"Cross-validation accuracy {card['cv_accuracy']:.3f} ± {card['cv_accuracy_std']:.3f}.",
        "",
        f"## Test accuracy ({test['images']} held-out images the search never saw)",
        "",
        "| runtime | accuracy | top-1 agreement with Keras |",
        "|---|---|---|",
        f"| Keras (computer) | {accuracy['keras']:.3f} | - |",
        f"| TFLite float32 (LiteRT) | {accuracy['tflite_float32']:.3f} | "
        f"{test['top1_agreement_with_keras']['tflite_float32']:.3f} |",
        f"| TFLite int8 (LiteRT) | {accuracy['tflite_int8']:.3f} | "
        f"{test['top1_agreement_with_keras']['tflite_int8']:.3f} |",
        f"| TFLite int8, phone-like path (JPEG q90, bilinear resize) | {accuracy['phone_path_int8']:.3f} | - |",
        "| TFLite float32, MediaPipe Tasks ImageClassifier (the phone; metadata only) | "
        f"{accuracy['mediapipe_float32']:.3f} | - |",
        f"| TFLite int8, MediaPipe Tasks ImageClassifier (the phone; metadata only) | {accuracy['mediapipe_int8']:.3f} "
        "| - |",
        *(f"| TFLite {variant}, legacy TFLite Task Library (deprecated) | {_shown(accuracy[f'task_library_{variant}'])}"
          " | - |" for variant in ("float32", "int8")),
        "",
        f"Float32 outputs differ from Keras by at most {test['float32_max_abs_diff']:.1e}. The MediaPipe rows are "
        "what an Android app on MediaPipe Tasks sees with this build's files: normalisation and labels from the "
        "metadata, its own resize of each original RGB image (the resize training used too).",
    ]
    if test["int8_drop_alarm"]:
        lines.append(f"**WARNING: the int8 model loses {test['int8_drop']:.1%} test accuracy against Keras.**")
    if test["mediapipe_alarm"]:
        lines.append(f"**WARNING: {test['mediapipe_alarm_cause'].removeprefix('!!! ')}**")
    if test["task_library_alarm"]:
        lines.append("**WARNING: the legacy Task Library's accuracy differs from LiteRT's by more than 1 point: an app "
                     "still on the deprecated Task API would see those rows; its own resize is the usual cause.**")
    return "\n".join(lines + _files_and_provenance(card))


def _files_and_provenance(card: dict) -> list[str]:
    """The files with their sizes and latency, the input contract, and where the model came from."""
    norm = card["input"]["normalisation"]
    lines = ["", "## Files", "", "| file | size | median latency, 1 thread | input |", "|---|---|---|---|"]
    for name, info in card["files"].items():
        if "bytes" in info:
            lines.append(f"| {name} | {info['bytes'] / 1024:.1f} KB | {info['median_latency_ms_1_thread']:.3f} ms | "
                         f"{info['input']} |")
    return lines + [
        "",
        "## Input",
        "",
        f"{card['input']['width']}x{card['input']['height']} RGB, {card['input']['resize']}; "
        f"value = (pixel - {norm['mean']:g}) / {norm['std']:g} for the float32 model; the int8 model takes the raw "
        "uint8 pixels. Both files carry this in their TFLite metadata, with labels.txt packed in.",
        "",
        f"Classes, in output order: {', '.join(card['class_names'])}.",
        "",
        "## Provenance",
        "",
        f"- configuration: `{json.dumps(card['configuration'])}`",
        f"- MLflow: run `{card['mlflow']['run_id']}`, registered model `{card['mlflow']['model_name']}` "
        f"version {card['mlflow']['version']} (alias `{card['mlflow']['alias']}`), tracking URI "
        f"`{card['mlflow']['tracking_uri']}`",
        f"- data: `{card['data']['data_dir']}` (fingerprint `{card['data']['fingerprint'][:16]}`)",
        "",
    ]


def write_card(folder: Path, card: dict) -> tuple[Path, Path]:
    json_path, markdown_path = folder / CARD_JSON, folder / CARD_MARKDOWN
    json_path.write_text(json.dumps(card, indent=2))
    markdown_path.write_text(card_markdown(card))
    return markdown_path, json_path
