"""``python -m bench.scale --storage URL --study NAME``: how the commands that read a study grow with its size.

The finished trials of a real study are cloned through Optuna's API (``create_trial`` + ``add_trials``, their
values spread so the front is not one point) into fresh SQLite studies of 100 and 1,000 trials, with the
study's own record; ``front``, ``report``, ``sync-mlflow`` (first into an empty MLflow store, then again with
nothing missing) and the dashboard (until it answers its study list) then run as users run them (``python -m
search``, a new process each, the storage in ``STORAGE``) and their wall times are printed with the growth
from 100 to 1,000 trials, and whether the command imported TensorFlow (a command that does not train must
not: it costs seconds). Targets at 1,000 trials: front 2 s, report 10 s, first sync 15 s, dashboard 10 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

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
        values=[float(np.clip(t.values[0] + rng.normal(0, 0.05), 0, 1)),
                max(1.0, round(t.values[1] * rng.uniform(0.5, 2)))],
        params=t.params, distributions=t.distributions, user_attrs=t.user_attrs, system_attrs={})
        for t in (finished[i % len(finished)] for i in range(count))])


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds of one command in a new process, and its TensorFlow line."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", TF_PROBE, *command], capture_output=True, text=True,
                          env={**os.environ, **env})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return seconds, done.stderr.strip().splitlines()[-1]


def dashboard_ready(env: dict[str, str]) -> tuple[float, str]:
    """Seconds from ``python -m search dashboard`` to its first answer listing the studies."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "search", "dashboard", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **env})
    try:
        while server.poll() is None:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/studies", timeout=30).read()
                return time.perf_counter() - started, "serving"
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"the dashboard ended with exit code {server.returncode}")
    finally:
        server.terminate()
        server.wait()


def commands(work: str, count: int) -> dict[str, list[str] | None]:
    """What each measured command runs (None: the dashboard, timed to its first answer)."""
    return {"front": ["front"], "report": ["report", "--no-mlflow", "--out", f"{work}/r{count}"],
            "sync-mlflow": ["sync-mlflow"], "sync again": ["sync-mlflow"], "dashboard": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", required=True, help="the real study's storage URL")
    parser.add_argument("--study", required=True)
    args = parser.parse_args()
    source = optuna.load_study(study_name=args.study, storage=args.storage)
    times: dict[str, dict[int, float]] = {}
    with tempfile.TemporaryDirectory() as work:
        for count in SIZES:
            env = {"STORAGE": f"sqlite:///{work}/{count}.db",
                   "MLFLOW_TRACKING_URI": f"sqlite:///{work}/mlflow{count}.db"}
            cloned_study(source, env["STORAGE"], count)
            for name, command in commands(work, count).items():
                seconds, tf = dashboard_ready(env) if command is None else timed([command[0], "--study", args.study,
                                                                                   *command[1:]], env)
                times.setdefault(name, {})[count] = seconds
                print(f"{count:>5} trials  {name:<11} {seconds:6.1f} s  ({tf})", flush=True)
    for name, by_size in times.items():
        print(f"{name}: x{by_size[SIZES[1]] / by_size[SIZES[0]]:.2f} from {SIZES[0]} to {SIZES[1]} trials")


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    main()
