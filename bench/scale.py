"""``python -m bench.scale --storage URL --study NAME``: how the commands that read a study grow with its size.

The finished trials of a real study are cloned through Optuna's API (``create_trial`` + ``add_trials``, their
values spread so the front is not one point) into fresh SQLite studies of 100 and 1,000 trials, with the
study's own record; ``front`` and ``report`` then run as users run them (``python -m search``, a new
process each) and their wall times are printed with the growth from 100 to 1,000 trials, and whether the
command imported TensorFlow (a command that does not train must not: it costs seconds).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import optuna

SIZES = (100, 1000)
TF_PROBE = "import runpy, sys; sys.argv = ['search'] + sys.argv[1:]; " \
           "exec(\"try:\\n runpy.run_module('search', run_name='__main__')\\nexcept SystemExit: pass\"); " \
           "print('tensorflow imported' if 'tensorflow' in sys.modules else 'tensorflow not imported', file=sys.stderr)"


def cloned_study(source: optuna.Study, storage: str, count: int) -> None:
    """A study of ``count`` finished trials copied from ``source``'s, each moved a little off its original."""
    finished = source.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    study = optuna.create_study(study_name=source.study_name, storage=storage, directions=source.directions)
    for key, value in source.user_attrs.items():
        study.set_user_attr(key, value)
    rng = np.random.default_rng(0)
    study.add_trials([optuna.trial.create_trial(
        values=[float(np.clip(t.values[0] + rng.normal(0, 0.05), 0, 1)), max(1.0, round(t.values[1] * rng.uniform(0.5, 2)))],
        params=t.params, distributions=t.distributions, user_attrs=t.user_attrs, system_attrs={})
        for t in (finished[i % len(finished)] for i in range(count))])


def timed(command: list[str]) -> tuple[float, str]:
    """Wall seconds of one command in a new process, and its TensorFlow line."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", TF_PROBE, *command], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return seconds, done.stderr.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", required=True, help="the real study's storage URL")
    parser.add_argument("--study", required=True)
    args = parser.parse_args()
    source = optuna.load_study(study_name=args.study, storage=args.storage)
    times: dict[str, dict[int, float]] = {"front": {}, "report": {}}
    with tempfile.TemporaryDirectory() as work:
        for count in SIZES:
            storage = f"sqlite:///{work}/{count}.db"
            cloned_study(source, storage, count)
            base = ["--study", args.study, "--storage", storage]
            for name, command in (("front", ["front", *base]), ("report", ["report", *base, "--no-mlflow", "--out", f"{work}/r{count}"])):
                times[name][count], tf = timed(command)
                print(f"{count:>5} trials  {name:<7} {times[name][count]:6.1f} s  ({tf})", flush=True)
    for name, by_size in times.items():
        print(f"{name}: x{by_size[SIZES[1]] / by_size[SIZES[0]]:.2f} from {SIZES[0]} to {SIZES[1]} trials")


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    main()
