"""TFLite metadata written and read with MediaPipe's own metadata library; runs inside .venv-mediapipe only.

Run as a child by ``objectives.tflite.metadata`` with the MediaPipe environment's Python, so it imports nothing
from this project. MediaPipe is the library of the runtime Android apps classify with, it has wheels for every
Python from 3.10 to 3.14, and its writer is the TFLite Support writer carried on (tflite-support, the former
writer, has no release since 0.4.4 and no wheel past Python 3.11).

mediapipe 1.2.3's wheel leaves out one compiled module its metadata library imports,
``mediapipe.tasks.cc.metadata.python._pywrap_metadata_version``: the function that stamps the metadata with
the oldest parser able to read it. ``minimum_parser_version`` is that function in Python, rule for rule from
MediaPipe's ``mediapipe/tasks/cc/metadata/metadata_version.cc``, and is put in its place before the library
is imported (tests/objectives/tflite/test_metadata.py holds it to tflite-support's compiled one).

    python -I metadata_script.py < requests

One JSON request per line, one JSON answer per line, until the end of the input:
``{"op": "write", "model": path, "out": path, "labels": path, "size": n, "mean": [3], "std": [3],
"about": {"name", "version", "description", "author"}}`` -> ``{}``;
``{"op": "read", "model": path}`` -> ``{"about": {...}, "mean", "std", "width", "height", "labels"}``;
a request that fails -> ``{"error": "..."}``.
"""

from __future__ import annotations

import json
import os
import sys
import types

import flatbuffers
from mediapipe.tasks.metadata import metadata_schema_py_generated as metadata_fb

# Schema members added after metadata 1.0.0, and the version that added each (metadata_version.cc).
FILE_TYPE_VERSIONS = {metadata_fb.AssociatedFileType.VOCABULARY: (1, 0, 1),
                      metadata_fb.AssociatedFileType.SCANN_INDEX_FILE: (1, 4, 0)}
FILE_VERSION_FIELD = (1, 4, 1)
UNIT_VERSIONS = {metadata_fb.ProcessUnitOptions.BertTokenizerOptions: (1, 1, 0),
                 metadata_fb.ProcessUnitOptions.SentencePieceTokenizerOptions: (1, 1, 0),
                 metadata_fb.ProcessUnitOptions.RegexTokenizerOptions: (1, 2, 1)}
AUDIO_PROPERTIES = (1, 3, 0)
SUBGRAPH_FIELD_VERSIONS = {"inputProcessUnits": (1, 1, 0), "outputProcessUnits": (1, 1, 0),
                           "inputTensorGroups": (1, 2, 0), "outputTensorGroups": (1, 2, 0),
                           "customMetadata": (1, 5, 0)}


def _files(files) -> list[tuple[int, ...]]:
    """The versions associated files need: their type, and their ``version`` field when set."""
    found = [FILE_TYPE_VERSIONS[file.type] for file in files or [] if file.type in FILE_TYPE_VERSIONS]
    return found + [FILE_VERSION_FIELD for file in files or [] if file.version is not None]


def _units(units) -> list[tuple[int, ...]]:
    return [UNIT_VERSIONS[unit.optionsType] for unit in units or [] if unit.optionsType in UNIT_VERSIONS]


def _tensor(tensor) -> list[tuple[int, ...]]:
    audio = tensor.content is not None and tensor.content.contentPropertiesType == \
        metadata_fb.ContentProperties.AudioProperties
    return _files(tensor.associatedFiles) + _units(tensor.processUnits) + ([AUDIO_PROPERTIES] if audio else [])


def _subgraph(graph) -> list[tuple[int, ...]]:
    found = [version for tensor in (graph.inputTensorMetadata or []) + (graph.outputTensorMetadata or [])
             for version in _tensor(tensor)] + _files(graph.associatedFiles)
    found += [version for field, version in SUBGRAPH_FIELD_VERSIONS.items() if getattr(graph, field) is not None]
    return found + _units(graph.inputProcessUnits) + _units(graph.outputProcessUnits)


def minimum_parser_version(buffer: bytes) -> str:
    """The oldest metadata parser that understands every field present (a field absent, not empty, counts for
    nothing): the newest version among the members in use, 1.0.0 at least."""
    root = metadata_fb.ModelMetadataT.InitFromObj(metadata_fb.ModelMetadata.GetRootAsModelMetadata(buffer, 0))
    found = [version for graph in root.subgraphMetadata or [] for version in _subgraph(graph)]
    return ".".join(map(str, max([(1, 0, 0), *found, *_files(root.associatedFiles)])))


sys.modules["mediapipe.tasks.cc.metadata.python"] = types.SimpleNamespace(
    _pywrap_metadata_version=types.SimpleNamespace(GetMinimumMetadataParserVersion=minimum_parser_version))

from mediapipe.tasks.python.metadata import metadata  # noqa: E402  (needs the module above)
from mediapipe.tasks.python.metadata.metadata_writers import metadata_info, writer_utils  # noqa: E402


class SizedInputImageTensorMd(metadata_info.InputImageTensorMd):
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


def packed_files(buffer: bytearray) -> dict[str, bytes]:
    """The files a model already packs (none without metadata)."""
    if metadata.get_metadata_buffer(buffer) is None:
        return {}
    displayer = metadata.MetadataDisplayer.with_model_buffer(buffer)
    return {name: displayer.get_associated_file_buffer(name) for name in displayer.get_packed_associated_file_list()}


def write(request: dict) -> dict:
    """The model with its metadata and the label file packed in, written to ``out``. A model that has metadata
    already gets the new metadata and keeps its packed label file, which must then be the same."""
    with open(request["model"], "rb") as handle:
        buffer = bytearray(handle.read())
    with open(request["labels"], "rb") as handle:
        labels = handle.read()
    already = packed_files(buffer).get(os.path.basename(request["labels"]))
    if already not in (None, labels):
        raise ValueError(f"the model already packs another {os.path.basename(request['labels'])}; give the model "
                         "without metadata")
    size = request["size"]
    input_md = SizedInputImageTensorMd(
        size, name="image", description=f"RGB image, {size}x{size}, normalised (pixel - mean) / std",
        norm_mean=request["mean"], norm_std=request["std"], color_space_type=metadata_fb.ColorSpaceType.RGB,
        tensor_type=writer_utils.get_input_tensor_types(buffer)[0])
    output_md = metadata_info.ClassificationTensorMd(
        name="probability", description="Probabilities of the classes in labels.txt, in that order",
        label_files=[metadata_info.LabelFileMd(file_path=request["labels"])],
        tensor_type=writer_utils.get_output_tensor_types(buffer)[0])
    graph = metadata_fb.SubGraphMetadataT()
    graph.inputTensorMetadata, graph.outputTensorMetadata = [input_md.create_metadata()], [output_md.create_metadata()]
    model = metadata_info.GeneralMd(**request["about"]).create_metadata()
    model.subgraphMetadata = [graph]
    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), metadata.MetadataPopulator.METADATA_FILE_IDENTIFIER)
    populator = metadata.MetadataPopulator.with_model_buffer(buffer)
    populator.load_metadata_buffer(builder.Output())
    if already is None:
        populator.load_associated_files([request["labels"]])
    populator.populate()
    with open(request["out"], "wb") as handle:
        handle.write(populator.get_model_buffer())
    return {}


def read(request: dict) -> dict:
    """What an app reads from the file: normalisation, input size, labels from the packed label file."""
    displayer = metadata.MetadataDisplayer.with_model_file(request["model"])
    raw = json.loads(displayer.get_metadata_json())
    graph = raw["subgraph_metadata"][0]
    image = graph["input_tensor_metadata"][0]
    options = next(unit["options"] for unit in image["process_units"]
                   if unit["options_type"] == "NormalizationOptions")
    size = image["content"]["content_properties"]["default_size"]
    label_file = next(f["name"] for f in graph["output_tensor_metadata"][0]["associated_files"]
                      if f["type"] == "TENSOR_AXIS_LABELS")
    labels = displayer.get_associated_file_buffer(label_file).decode("utf-8").splitlines()
    return {"about": {key: raw.get(key, "") for key in ("name", "version", "description", "author")},
            "mean": options["mean"], "std": options["std"], "width": size["width"], "height": size["height"],
            "labels": labels}


OPERATIONS = {"write": write, "read": read}


def main() -> int:
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = OPERATIONS[request["op"]](request)
        except Exception as error:  # one bad file is the caller's to report; the next request still runs
            answer = {"error": f"{error.__class__.__name__}: {' '.join(str(error).split())}"}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
