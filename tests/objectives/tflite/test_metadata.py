"""The metadata MediaPipe's library writes: read back whole, the same as tflite-support's writer made it, stamped
with the same minimum parser version, and a clash of label files refused in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter

from export.phones import task_library
from objectives.errors import ExportError
from objectives.tflite.convert import to_float32, to_int8
from objectives.tflite.environments import MEDIAPIPE_PYTHON_VARIABLE, mediapipe_python
from objectives.tflite.metadata import SCRIPT, ModelDescription, read_metadata, with_metadata, write_labels
from tests.objectives.tflite.test_convert import dead_relu_model

ABOUT = ModelDescription(name="tiny", version="trial-3", description="a test model", author="tests")
CLASSES = [f"class {i}" for i in range(10)]
needs_tflite_support = pytest.mark.skipif(not task_library.installed(),
                                          reason="tflite-support, the former writer, installs on Python 3.11 only")


@pytest.fixture(scope="module")
def bare(tmp_path_factory) -> dict[str, Path]:
    """A float32 and an int8 file without metadata, and the label file."""
    folder = tmp_path_factory.mktemp("bare")
    model, images = dead_relu_model(), np.random.default_rng(0).integers(0, 256, (8, 8, 8, 3), dtype=np.uint8)
    files = {"float32": folder / "f.tflite", "int8": folder / "q.tflite", "labels": folder / "labels.txt"}
    files["float32"].write_bytes(to_float32(model))
    files["int8"].write_bytes(to_int8(model, images, 0))
    write_labels(files["labels"], CLASSES)
    return files


@pytest.mark.parametrize("variant", ["float32", "int8"])
def test_what_is_written_reads_back_whole_and_litert_still_runs_it(bare, tmp_path, variant):
    path = tmp_path / "model.tflite"
    path.write_bytes(with_metadata(bare[variant].read_bytes(), ABOUT, 8, bare["labels"]))
    found = read_metadata(path)
    assert (found.about, found.mean, found.std, found.width, found.height, found.labels) == \
        (ABOUT, [0.0] * 3, [255.0] * 3, 8, 8, CLASSES)
    interpreter = Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    interpreter.invoke()


def test_new_metadata_on_a_file_that_has_some_keeps_its_labels_and_refuses_other_labels(bare, tmp_path):
    first = with_metadata(bare["float32"].read_bytes(), ABOUT, 8, bare["labels"])
    (tmp_path / "m.tflite").write_bytes(with_metadata(first, ABOUT, 8, bare["labels"], ([1.0, 2.0, 3.0], [4.0] * 3)))
    found = read_metadata(tmp_path / "m.tflite")
    assert (found.mean, found.std, found.labels) == ([1.0, 2.0, 3.0], [4.0] * 3, CLASSES)
    (tmp_path / "other").mkdir()
    other = write_labels(tmp_path / "other" / "labels.txt", ["a", "b"])
    with pytest.raises(ExportError) as refused:
        with_metadata(first, ABOUT, 8, other)
    assert "already packs another labels.txt" in str(refused.value) and "\n" not in str(refused.value)


def _in_task_library_env(code: str, *args: str) -> str:
    python = task_library.task_library_python()
    return subprocess.run([str(python), "-I", "-c", code, *args], capture_output=True, text=True, check=True).stdout


FORMER_WRITER = """
import sys
from tensorflow_lite_support.metadata import metadata_schema_py_generated as fb
from tensorflow_lite_support.metadata.python.metadata_writers import image_classifier, metadata_info, writer_utils
model, labels, out = sys.argv[1:]
buffer = bytearray(open(model, 'rb').read())
input_md = metadata_info.InputImageTensorMd(name='image', description='RGB image, 8x8, normalised (pixel - mean) / std',
    norm_mean=[0.0] * 3, norm_std=[255.0] * 3, color_space_type=fb.ColorSpaceType.RGB,
    tensor_type=writer_utils.get_input_tensor_types(buffer)[0])
output_md = metadata_info.ClassificationTensorMd(name='probability',
    description='Probabilities of the classes in labels.txt, in that order',
    label_files=[metadata_info.LabelFileMd(file_path=labels)],
    tensor_type=writer_utils.get_output_tensor_types(buffer)[0])
writer = image_classifier.MetadataWriter.create_from_metadata_info(buffer, general_md=metadata_info.GeneralMd(
    name='tiny', version='trial-3', description='a test model', author='tests'), input_md=input_md, output_md=output_md)
open(out, 'wb').write(writer.populate())
"""
DISPLAY = """
import json, sys
from tensorflow_lite_support.metadata.python import metadata
shown = {}
for path in sys.argv[1:]:
    d = metadata.MetadataDisplayer.with_model_file(path)
    shown[path] = [json.loads(d.get_metadata_json()), d.get_associated_file_buffer('labels.txt').decode()]
print(json.dumps(shown))
"""


@needs_tflite_support
def test_the_metadata_is_what_tflite_support_wrote_but_the_image_size_it_left_out(bare, tmp_path):
    ours, theirs = tmp_path / "ours.tflite", tmp_path / "theirs.tflite"
    ours.write_bytes(with_metadata(bare["int8"].read_bytes(), ABOUT, 8, bare["labels"]))
    _in_task_library_env(FORMER_WRITER, str(bare["int8"]), str(bare["labels"]), str(theirs))
    shown = json.loads(_in_task_library_env(DISPLAY, str(ours), str(theirs)))
    image = shown[str(ours)][0]["subgraph_metadata"][0]["input_tensor_metadata"][0]["content"]["content_properties"]
    assert image.pop("default_size") == {"width": 8, "height": 8}  # ours only: an app reads the size from it
    assert shown[str(ours)] == shown[str(theirs)]


VERSIONS = """
import json, sys
import flatbuffers
from tensorflow_lite_support.metadata import metadata_schema_py_generated as fb
from tensorflow_lite_support.metadata.cc.python import _pywrap_metadata_version as native

def file(kind, version=None):
    f = fb.AssociatedFileT(); f.name, f.type, f.version = 'x.txt', kind, version
    return f

def unit(kind, options):
    u = fb.ProcessUnitT(); u.optionsType, u.options = kind, options()
    return u

def tensor(files=None, units=None, audio=False):
    t = fb.TensorMetadataT(); t.associatedFiles, t.processUnits = files, units
    if audio:
        t.content = fb.ContentT(); t.content.contentPropertiesType = fb.ContentProperties.AudioProperties
        t.content.contentProperties = fb.AudioPropertiesT()
    return t

def model(tensors=(), graph_files=None, model_files=None, **graph_fields):
    g = fb.SubGraphMetadataT(); g.inputTensorMetadata = list(tensors); g.associatedFiles = graph_files
    for name, value in graph_fields.items():
        setattr(g, name, value)
    m = fb.ModelMetadataT(); m.subgraphMetadata = [g]; m.associatedFiles = model_files
    b = flatbuffers.Builder(0); b.Finish(m.Pack(b), b'M001')
    return bytes(b.Output())

A = fb.AssociatedFileType
P = fb.ProcessUnitOptions
cases = {
    'plain classifier': model([tensor([file(A.TENSOR_AXIS_LABELS)],
                                      [unit(P.NormalizationOptions, fb.NormalizationOptionsT)])]),
    'vocabulary file': model([tensor([file(A.VOCABULARY)])]),
    'scann index at model level': model(model_files=[file(A.SCANN_INDEX_FILE)]),
    'file version at subgraph level': model(graph_files=[file(A.DESCRIPTIONS, 'v2')]),
    'bert tokenizer': model([tensor(units=[unit(P.BertTokenizerOptions, fb.BertTokenizerOptionsT)])]),
    'sentencepiece in input units': model(
        inputProcessUnits=[unit(P.SentencePieceTokenizerOptions, fb.SentencePieceTokenizerOptionsT)]),
    'regex tokenizer in output units': model(
        outputProcessUnits=[unit(P.RegexTokenizerOptions, fb.RegexTokenizerOptionsT)]),
    'empty input process units': model(inputProcessUnits=[]),
    'tensor groups': model(outputTensorGroups=[fb.TensorGroupT()]),
    'audio input': model([tensor(audio=True)]),
    'custom metadata': model(customMetadata=[fb.CustomMetadataT()]),
}
print(json.dumps({name: [buffer.hex(), native.GetMinimumMetadataParserVersion(buffer)]
                  for name, buffer in cases.items()}))
"""
PORT = """
import json, runpy, sys
port = runpy.run_path(sys.argv[1])['minimum_parser_version']
print(json.dumps({name: port(bytes.fromhex(buffer)) for name, (buffer, _) in json.loads(sys.stdin.read()).items()}))
"""


@needs_tflite_support
def test_the_minimum_parser_version_is_the_compiled_ones_for_every_schema_member():
    """The metadata library's missing compiled module, replaced in metadata_script.py, against tflite-support's."""
    native = json.loads(_in_task_library_env(VERSIONS))
    ported = json.loads(subprocess.run([str(mediapipe_python()), "-I", "-c", PORT, str(SCRIPT)],
                                       input=json.dumps(native), capture_output=True, text=True, check=True).stdout)
    assert {name: version for name, (_, version) in native.items()} == ported
    assert len(set(ported.values())) >= 7  # 1.0.0, 1.0.1, 1.1.0, 1.2.0, 1.2.1, 1.3.0, 1.4.0, 1.4.1, 1.5.0


def test_a_broken_mediapipe_environment_is_one_error_naming_the_file_and_the_reason(bare, tmp_path):
    """A Python without mediapipe (a bare virtualenv) as MediaPipe's: the child dies at its first import, and the
    error says so in one line, with what to do."""
    python = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(python)], check=True)
    code = ("import sys; from pathlib import Path; from objectives.errors import ExportError; "
            "from objectives.tflite.metadata import read_metadata\n"
            "try:\n    read_metadata(Path(sys.argv[1]))\nexcept ExportError as error:\n    print(error)")
    done = subprocess.run([sys.executable, "-c", code, str(bare["float32"])], capture_output=True, text=True,
                          cwd=Path(__file__).parents[3], env={**os.environ, MEDIAPIPE_PYTHON_VARIABLE:
                                                              str(python / "bin" / "python")}, timeout=120)
    message = done.stdout.strip()
    assert message.startswith(f"{bare['float32']}: MediaPipe's metadata library ({python}/bin/python) stopped: "
                              "ModuleNotFoundError: No module named "), done.stdout + done.stderr
    assert message.endswith("remove .venv-mediapipe and run make install") and "\n" not in message
