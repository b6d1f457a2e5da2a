"""Storages failing under a real study run from the command line: a read-only folder and a full disk give
one line and exit 2, keep the finished trials, and the next run leaves no trial RUNNING."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import optuna
import pytest

from tests.conftest import digits_subset, tiny_space

ROOT = Path(__file__).parents[3]


def run(folder: Path, storage: str, trials: int, limit_bytes: int | None = None) -> subprocess.CompletedProcess:
    """``python -m search run`` on the tiny digits, optionally under a file-size limit (a full disk for SQLite:
    a write past it fails with EFBIG, SIGXFSZ being ignored as a daemon's shell may)."""
    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    command = [sys.executable, "-m", "search", "run", "--study", "s", "--storage", storage, "--trials", str(trials),
               "--data", str(folder / "digits"), "--space", str(folder / "space.yaml"),
               "--cache", str(folder / "cache"), "--epochs", "1", "--folds", "2"]
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{folder}/mlflow/mlflow.db"}  # limited too, not shared
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
                          preexec_fn=limited if limit_bytes else None)


def states(storage: str) -> list[str]:
    return [t.state.name for t in optuna.load_study(study_name="s", storage=storage).trials]


def assert_one_line(result: subprocess.CompletedProcess, *words: str) -> None:
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert len(errors) == 1, result.stderr[-3000:]
    assert any(w in errors[0] for w in words) and "SQLite integrity check: ok" in errors[0], result.stderr[-3000:]


@pytest.fixture
def folder(digits_root, tmp_path) -> Path:
    digits_subset(digits_root, tmp_path / "digits", per_class=12, classes=3)
    tiny_space(tmp_path)
    return tmp_path


def test_a_full_disk_mid_study_is_one_line_and_the_next_run_leaves_nothing_running(folder):
    storage = f"sqlite:///{folder}/store/optuna.db"
    assert run(folder, storage, 1).returncode == 0
    database = folder / "store" / "optuna.db"
    with sqlite3.connect(database) as connection:  # no free pages left: the next trials' writes must grow the file
        connection.execute("VACUUM")
    # 12 trials: a few tiny ones (1 epoch, 2 folds) fit in the free room of the file's partly filled pages
    full = run(folder, storage, 12, limit_bytes=database.stat().st_size)
    # SQLite calls the EFBIG of a file-size limit an I/O error, and ENOSPC (a real full disk) "disk is full"
    assert_one_line(full, "ran out of space (disk full or a file-size limit)", "disk I/O error: a full disk")
    assert states(storage)[0] == "COMPLETE"
    again = run(folder, storage, 2)  # the budget is already reached: only a re-queued trial would run
    assert again.returncode == 0, again.stderr[-3000:]
    assert "RUNNING" not in states(storage) and states(storage)[0] == "COMPLETE"


def test_a_read_only_study_folder_is_one_line(folder):
    """As root, permissions do not stop writes: the folder is then a tmpfs mounted read-only."""
    store = folder / "store"
    store.mkdir()
    mounted = os.geteuid() == 0
    if mounted and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(store)]).returncode != 0:
        pytest.skip("running as root where tmpfs cannot be mounted: no way to make a folder read-only")
    storage = f"sqlite:///{store}/optuna.db"
    try:
        assert run(folder, storage, 1).returncode == 0
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(store)], check=True)
        else:
            (store / "optuna.db").chmod(0o444)
            store.chmod(0o555)
        assert_one_line(run(folder, storage, 3), "cannot be written (a read-only file or folder)")
        assert states(storage) == ["COMPLETE"]
    finally:
        if mounted:
            subprocess.run(["umount", "--lazy", str(store)])  # lazy: a store file still open must not leave it mounted
        else:
            store.chmod(0o755)
