"""make passes every variable to the program as data: no payload in any variable runs in a shell."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
VARIABLES = ("DATA", "STUDY", "TRIALS", "TIME", "STORAGE", "SPACE", "EPOCHS", "FOLDS", "SAMPLER", "THREADS", "JOBS",
             "SKIP_UNREADABLE", "EXPORT", "TRIAL", "FORCE", "MAX_PARAMS", "MAX_MACS", "MAX_INT8_KB", "MAX_LATENCY_MS",
             "PORT", "INSTALLER", "PYTHON")
TARGETS = ("front", "check-data", "promote", "dashboard", "worker", "study", "installer", "help")
# One value per variable holding every way out of a recipe line: a quote, $(...), backticks, ';' and make's $(shell).
PAYLOAD = ('x"; touch {m}.quote; echo "$(touch {m}.dollar)`touch {m}.backtick`; '
           'touch {m}.semicolon $(shell touch {m}.make)')


def test_no_variable_runs_its_payload_and_every_target_refuses_cleanly(tmp_path):
    markers = {name: tmp_path / f"owned-{name}" for name in VARIABLES}
    assignments = [f"{name}={PAYLOAD.format(m=marker)}" for name, marker in markers.items()]
    result = subprocess.run(["make", "-k", "--no-print-directory", *TARGETS, *assignments], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert sorted(path.name for path in tmp_path.iterdir()) == []
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-3000:]
    for refusal in ("error: study name", "invalid int value", "is not an installer this Makefile knows"):
        assert refusal in result.stderr


def test_an_interpreter_that_is_missing_is_named_in_one_line_before_anything_is_installed(tmp_path):
    """A host without the interpreter the locks need hears what to install, not a resolver's error; a payload
    in PYTHON is a name like any other, never shell text."""
    marker = tmp_path / "owned-PYTHON"
    for python in (f"{tmp_path}/python3.11", PAYLOAD.format(m=marker)):
        result = subprocess.run(["make", "--no-print-directory", "installer", "INSTALLER=uv", f"PYTHON={python}"],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
        lines = [line for line in result.stderr.splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", line)]
        assert result.returncode == 2 and len(lines) == 1, result.stderr
        assert lines[0].startswith(f"error: PYTHON={python} is not on this machine") and "python3.11" in lines[0]
    assert list(tmp_path.iterdir()) == []


def pythons(*versions: str) -> list[Path]:
    """Interpreters of these versions on this host (pyenv's, else on the PATH)."""
    found = [next(iter(sorted(Path("/root/.pyenv/versions").glob(f"{v}.*/bin/python{v}"))), None)
             or shutil.which(f"python{v}") for v in versions]
    return [Path(path) for path in found if path is not None]


def test_the_locks_pythons_are_accepted_and_an_older_one_is_named_in_one_line():
    """3.11, 3.12 and 3.13 have a lock (one universal lock); 3.10 has no TensorFlow 2.19/2.20 to install."""
    accepted, older = pythons("3.12", "3.13"), pythons("3.10")
    if not accepted or not older:
        pytest.skip("no Python 3.10, 3.12 or 3.13 on this host to try")
    for python in accepted:
        result = subprocess.run(["make", "--no-print-directory", "installer", f"PYTHON={python}"], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and result.stderr == "", result.stderr
    result = subprocess.run(["make", "--no-print-directory", "installer", f"PYTHON={older[0]}"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    lines = [line for line in result.stderr.splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", line)]
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "is Python 3.10, and the locks are for 3.11, 3.12 or 3.13" in lines[0]


def test_every_environment_install_makes_has_a_rule_from_its_lock():
    """A rewrite once dropped MediaPipe's rule: every tree that had the environment went on working, a fresh clone
    stopped at `No rule to make target`. make's own database, printed without running anything, must hold a rule
    for each folder `install` needs, made from its own lock."""
    database = subprocess.run(["make", "-pn", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    needed = re.search(r"^install: (.*)$", database, re.M).group(1).split()
    rules = dict(re.findall(r"^(\.venv[-\w]*/\.installed): (\S+\.lock)$", database, re.M))
    assert needed and set(needed) == set(rules) == {".venv/.installed", ".venv-mediapipe/.installed",
                                                    ".venv-task-library/.installed"}
    assert all((ROOT / lock).is_file() for lock in rules.values())
