"""TFLite metadata: what an app needs to feed the model and name its outputs, written into the .tflite.

Mean and std come from ``INPUT_NORMALISATION`` and the labels from the class order training used, so
nothing the phone relies on is typed a second time. The input size goes into the image properties'
``default_size`` as well as the tensor shape. ``read_metadata`` is what verification uses: it knows
nothing but the file.

Imports only ``tensorflow_lite_support.metadata``: importing the top-level ``tflite_support`` package in
a process with TensorFlow fails ("generic_type: cannot initialize type StatusCode": the Task Library's
pybind modules clash with TensorFlow's), while the metadata writers and displayer work beside it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tensorflow_lite_support.metadata import metadata_schema_py_generated as metadata_fb
from tensorflow_lite_support.metadata.python import metadata
from tensorflow_lite_support.metadata.python.metadata_writers import image_classifier, metadata_info, writer_utils

from objectives.data.preprocessing import INPUT_NORMALISATION
from objectives.errors import ExportError

LABELS_FILE = "labels.txt"


@dataclass(frozen=True)
class ModelDescription:
    """The general metadata an app or model browser shows."""

    name: str
    version: str
    description: str
    author: str


@dataclass(frozen=True)
class ReadMetadata:
    """What a .tflite file says about itself, read back with tflite-support's ``MetadataDisplayer``."""

    about: ModelDescription
    mean: list[float]
    std: list[float]
    width: int
    height: int
    labels: list[str]


class _SizedInputImageTensorMd(metadata_info.InputImageTensorMd):
    """The writer's image input, plus the ``default_size`` field of the schema the writer leaves empty."""

    def __init__(self, size: int, **kwargs):
        super().__init__(**kwargs)
        self.size = size

    def create_metadata(self) -> metadata_fb.TensorMetadataT:
        tensor = super().create_metadata()
        default_size = metadata_fb.ImageSizeT()
        default_size.width = default_size.height = self.size
        tensor.content.contentProperties.defaultSize = default_size
        return tensor


def write_labels(path: Path, class_names: list[str]) -> Path:
    """One class name per line in output order; never written by hand (the recipe's failure mode)."""
    bad = [name for name in class_names if "\n" in name or not name.strip()]
    if bad:
        raise ExportError(f"labels.txt: one class name per line must hold, but got {bad!r} (empty, or with a line "
                          "break); rename those class folders")
    path.write_text("".join(f"{name}\n" for name in class_names), encoding="utf-8")
    return path


def with_metadata(model: bytes, about: ModelDescription, image_size: int, labels_path: Path) -> bytes:
    """``model`` with metadata and the label file (which must be named ``labels.txt``) packed in."""
    if labels_path.name != LABELS_FILE:
        raise ExportError(f"the label file packed into the metadata must be named {LABELS_FILE} (the Task Library "
                          f"looks for that name), but got {labels_path.name}; write it with write_labels")
    buffer = bytearray(model)
    mean, std = [float(INPUT_NORMALISATION.mean)] * 3, [float(INPUT_NORMALISATION.std)] * 3
    input_md = _SizedInputImageTensorMd(
        image_size, name="image", description=f"RGB image, {image_size}x{image_size}, normalised (pixel - mean) / std",
        norm_mean=mean, norm_std=std, color_space_type=metadata_fb.ColorSpaceType.RGB,
        tensor_type=writer_utils.get_input_tensor_types(buffer)[0])
    output_md = metadata_info.ClassificationTensorMd(
        name="probability", description="Probabilities of the classes in labels.txt, in that order",
        label_files=[metadata_info.LabelFileMd(file_path=str(labels_path))],
        tensor_type=writer_utils.get_output_tensor_types(buffer)[0])
    general_md = metadata_info.GeneralMd(name=about.name, version=about.version, description=about.description,
                                         author=about.author)
    writer = image_classifier.MetadataWriter.create_from_metadata_info(
        buffer, general_md=general_md, input_md=input_md, output_md=output_md)
    return bytes(writer.populate())


def read_metadata(model_path: Path) -> ReadMetadata:
    """Everything an app reads from the file: normalisation, input size, labels (from the packed file)."""
    displayer = metadata.MetadataDisplayer.with_model_file(str(model_path))
    raw = json.loads(displayer.get_metadata_json())
    graph = raw["subgraph_metadata"][0]
    image = graph["input_tensor_metadata"][0]
    options = next(unit["options"] for unit in image["process_units"]
                   if unit["options_type"] == "NormalizationOptions")
    size = image["content"]["content_properties"]["default_size"]
    label_file = next(f["name"] for f in graph["output_tensor_metadata"][0]["associated_files"]
                      if f["type"] == "TENSOR_AXIS_LABELS")
    labels = displayer.get_associated_file_buffer(label_file).decode("utf-8").splitlines()
    about = ModelDescription(*(raw.get(key, "") for key in ("name", "version", "description", "author")))
    return ReadMetadata(about, [float(v) for v in options["mean"]], [float(v) for v in options["std"]],
                        int(size["width"]), int(size["height"]), labels)
