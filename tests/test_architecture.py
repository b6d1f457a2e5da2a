"""The layout ARCHITECTURE.md draws, held against the code: imports go down the layers, modules and
functions stay small, and the trial path does not load the export's libraries."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGES = ("objectives", "spaces", "search", "export", "bench")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50


def layers() -> list[str]:
    """The layer list of ARCHITECTURE.md, lowest first."""
    block = re.search(r"```layers\n(.*?)```", (ROOT / "ARCHITECTURE.md").read_text(), re.S)
    assert block, "ARCHITECTURE.md lost its ```layers block"
    return block.group(1).split()


def layer_of(module: str, order: list[str]) -> int:
    """The most specific layer a module belongs to (``search.study.record`` -> ``search.study``)."""
    matches = [name for name in order if module == name or module.startswith(name + ".")]
    assert matches, f"{module} is in no layer of ARCHITECTURE.md"
    return order.index(max(matches, key=len))


def project_modules() -> dict[str, ast.Module]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            modules[name] = ast.parse(path.read_text(), filename=str(path))
    return modules


def imported(tree: ast.Module, roots: tuple[str, ...] = PACKAGES) -> list[str]:
    """Every module imported from the ``roots`` (the project's packages unless told), function-level ones included."""
    found = []
    for node in ast.walk(tree):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else \
            [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        found += [name for name in names if name.split(".")[0] in roots]
    return found


def test_every_import_goes_down_the_layers():
    order = layers()
    upward = []
    for module, tree in project_modules().items():
        for target in imported(tree):
            if layer_of(target, order) > layer_of(module, order):
                upward.append(f"{module} -> {target}")
    assert upward == [], "imports against ARCHITECTURE.md's layers:\n" + "\n".join(upward)


def import_graph(modules: dict[str, ast.Module]) -> dict[str, set[str]]:
    """Module -> the project modules it imports anywhere (``from a.b import c`` reaches ``a.b.c`` if a module)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, tree in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in modules:
                graph[name] |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                                for a in node.names}
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                targets = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                graph[name] |= {target for target in targets if target in modules}
        graph[name].discard(name)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other in a loop (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_modules_import_each_other_in_a_loop():
    """Function-level imports count too: a loop hidden inside a function is still a loop."""
    assert circles(import_graph(project_modules())) == []
    tree = {"a": ast.parse("def f():\n    import b\n"), "b": ast.parse("from a import f\n")}
    assert circles(import_graph(tree)) == [["a", "b"]]  # the check can fail


def test_the_layer_rule_catches_an_upward_import():
    """The check above can fail: an objectives module importing search would be reported."""
    order = layers()
    tree = ast.parse("from search.study.record import StudyRecord\n")
    assert imported(tree) == ["search.study.record"]
    assert layer_of("search.study.record", order) > layer_of("objectives.training.cross_validation", order)


def test_no_module_over_300_lines_and_no_function_over_50():
    too_long = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text()
            name = path.relative_to(ROOT)
            if len(text.splitlines()) > MAX_MODULE_LINES:
                too_long.append(f"{name}: {len(text.splitlines())} lines")
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    length = node.end_lineno - node.lineno + 1
                    if length > MAX_FUNCTION_LINES:
                        too_long.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    assert too_long == []


def test_the_linter_passes_every_package_and_the_tests():
    """Lines stay within 120 characters and no name goes unused; the caps above are met by design, not density."""
    linted = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *PACKAGES, "tests"],
                            cwd=ROOT, capture_output=True, text=True)
    assert linted.returncode == 0, linted.stdout[-3000:] + linted.stderr[-1000:]


def test_the_folders_are_the_layers():
    """The top of search/ is the command line alone and objectives/ is split by concern: a concern is found
    from folder names, not from a list of loose modules."""
    top = {path.stem for path in (ROOT / "search").glob("*.py")}
    assert top == {"__init__", "__main__", "cli", "commands"}
    loose = sorted(path.name for path in (ROOT / "objectives").glob("*.py") if path.stem != "__init__")
    assert len(loose) <= 3, loose


# LiteRT's interpreter, the metadata writers and readers (MediaPipe's, and tflite-support's former one), the
# converter. MediaPipe's vision tasks and the Task Library (``tflite_support.task``) are phone runtimes, checked
# from export/phones/.
TFLITE_LIBRARIES = ("ai_edge_litert", "mediapipe.tasks.python.metadata", "mediapipe.tasks.metadata",
                    "tensorflow_lite_support", "tflite_support.metadata", "tensorflow.lite")


def uses_tflite(tree: ast.Module) -> bool:
    """An import of a TFLite library, or ``tf.lite`` reached through ``import tensorflow as tf``."""
    roots = tuple(library.split(".")[0] for library in TFLITE_LIBRARIES)
    return any(module == library or module.startswith(library + ".")
               for module in imported(tree, roots) for library in TFLITE_LIBRARIES) or \
        any(isinstance(node, ast.Attribute) and node.attr == "lite" and isinstance(node.value, ast.Name)
            and node.value.id in ("tf", "tensorflow") for node in ast.walk(tree))


def test_a_tflite_file_is_made_read_and_run_in_one_package():
    """Conversion, metadata and verification share objectives/tflite/: an export does not walk between floors
    to make one file, and a reader finds every TFLite call in one folder."""
    outside = sorted(name for name, tree in project_modules().items()
                     if not name.startswith("objectives.tflite.") and uses_tflite(tree))
    assert outside == []
    assert uses_tflite(ast.parse("import tensorflow as tf\ntf.lite.TFLiteConverter")) and \
        uses_tflite(ast.parse("from mediapipe.tasks.python.metadata import metadata")) and \
        not uses_tflite(ast.parse("from mediapipe.tasks.python import vision"))


def _family_named(value: object, names: set[str]) -> bool:
    return isinstance(value, str) and (value in names or value.split(".")[0] in names and "." in value)


def test_no_family_is_named_outside_its_own_module():
    """A family is one file: the service asks the registry for families, it never spells one ("plain",
    "plain.filters"), so adding or removing a family touches nothing else."""
    from objectives.architectures.registry import family_names

    names, found = set(family_names()), []
    for package in ("objectives", "spaces", "search", "export"):
        for path in (ROOT / package).rglob("*.py"):
            if path.parent.name == "architectures" and path.stem in names:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and _family_named(node.value, names):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert found == []


STORAGE_BOUNDARY = "search.study.storage"  # the one module that reaches past Optuna's public API
OPTUNA_PRIVATE = {"_trial_id", "_storage", "_study_id", "_backend", "_cache"}


def private_optuna_uses(tree: ast.Module) -> list[int]:
    """Lines reading a private attribute of an Optuna object (``x._trial_id``, not ``self._x``)."""
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr in OPTUNA_PRIVATE
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))]


def test_only_the_storage_module_reaches_past_optunas_public_api():
    found = {name: lines for name, tree in project_modules().items()
             if name != STORAGE_BOUNDARY and (lines := private_optuna_uses(tree))}
    assert found == {}
    assert private_optuna_uses(ast.parse("trial.storage.set_trial_system_attr(trial._trial_id, 'k', 1)")) == [1]


def test_the_trial_path_does_not_load_the_export_or_the_metadata_writer():
    """A trial trains and scores; files for a phone (and MediaPipe's child that writes their metadata) are the
    export's."""
    code = ("import sys, search.runner.objective, search.runner.run; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'export'} | "
            "{m for m in sys.modules} & {'objectives.tflite.metadata', 'objectives.tflite.environments'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_space_files_and_the_cli_load_without_tensorflow():
    """A refused space file or argument answers before TensorFlow's seconds of start-up."""
    code = ("import sys, spaces.space, spaces.suggest, search.cli; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
