"""``python -m bench photos``: the real-photo case, every method given the same wall time on the same images.

Per photo set (``bench.photo_sets``): the fixed-CNN baseline trained once (``bench.baseline``), the service as
``make study TIME=..`` runs it (a study with the time budget covering its export, then the export, which
refits the front on every search image and scores it on the held-out ones), and KerasTuner's Hyperband for
the same minutes (``bench.kerastuner``); then the side-by-side table of ``bench.real_photos``. Each method runs
in its own process, one after another, so none shares the 2 cores with another. Results go to
``bench/results/photos-<set>-<method>.json``; a method whose result exists is not run again unless
``--rerun`` names it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SETS = ("objects", "textures-grey", "aside")  # aside: never tuned on
STORAGE = "sqlite:///cache/bench/photos/optuna.db"
METHODS = ("baseline", "service", "kerastuner")


def commands(set_name: str, minutes: float, root: Path) -> dict[str, list[list[str]]]:
    """The processes each method runs for ``set_name``."""
    data, python = str(root / set_name), sys.executable
    study = f"photos-{set_name}"
    return {
        "baseline": [[python, "-m", "bench.baseline", "--data", data]],
        "service": [[python, "-m", "search", "run", "--study", study, "--data", data, "--storage", STORAGE,
                     "--trials", "100000", "--time", f"{minutes:g}m", "--reserve-export"],
                    [python, "-m", "bench.real_photos", "--set", set_name, "--study", study, "--storage", STORAGE]],
        "kerastuner": [[python, "-m", "bench.kerastuner", "--data", data, "--minutes", f"{minutes:g}"]],
    }


def run_case(sets: tuple[str, ...], minutes: float, rerun: tuple[str, ...], results: Path, root: Path) -> int:
    """Every method on every set (skipping saved results), then each set's table; 1 if a method failed."""
    Path("cache/bench/photos").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "MLFLOW_TRACKING_URI": os.environ.get(
        "MLFLOW_TRACKING_URI", f"sqlite:///{Path('cache/bench/photos/mlflow.db').resolve()}")}
    failed = []
    for set_name in sets:
        for method, steps in commands(set_name, minutes, root).items():
            if (results / f"photos-{set_name}-{method}.json").exists() and method not in rerun:
                print(f"[{set_name}] {method}: saved result kept (--rerun {method} runs it again)", flush=True)
                continue
            for command in steps:
                print(f"[{set_name}] {method}: {' '.join(command[1:])}", flush=True)
                if subprocess.run(command, env=env).returncode != 0:
                    failed.append(f"{set_name} {method}")
                    break
    for set_name in sets:
        subprocess.run([sys.executable, "-m", "bench.real_photos", "--set", set_name, "--results", str(results)])
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0
