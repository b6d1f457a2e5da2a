"""A storage path that cannot be used, or a file that belongs to the other library, is refused in one line
before either library writes anything."""

import sqlite3

import numpy as np
import optuna
import pytest
from mlflow import MlflowClient

from search.cli import main


def _tables(path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


@pytest.mark.parametrize("url, message", [
    ("sqlite:////etc/hostname/x.db", "error: --storage (STORAGE) sqlite:////etc/hostname/x.db: a file in a writable "
     "folder must hold, but /etc/hostname/x.db cannot be used (File exists: /etc/hostname); pass a path in a folder "
     "you can write"),
    ("sqlite:////proc/x/y.db", "error: --storage (STORAGE) sqlite:////proc/x/y.db: a file in a writable folder must "
     "hold, but /proc/x/y.db cannot be used (No such file or directory: /proc/x)"),
    ("journal:////etc/hostname/j.log", "error: --storage (STORAGE) journal:////etc/hostname/j.log: a file in a "
     "writable folder must hold, but /etc/hostname/j.log cannot be used (File exists: /etc/hostname)"),
    ("sqlite:////etc/passwd", "error: --storage (STORAGE) sqlite:////etc/passwd: an Optuna database (or a new file) "
     "must hold, but /etc/passwd is not a SQLite database; pass another file, it is left untouched"),
])
def test_unusable_storage_paths_are_one_line(capsys, url, message):
    assert main(["front", "--study", "s", "--storage", url]) == 2
    err = capsys.readouterr().err
    assert err.strip() == message or (err.startswith(message) and len(err.strip().splitlines()) == 1), err


def test_storage_pointed_at_the_mlflow_database_leaves_it_untouched(tmp_path, capsys):
    mlflow_db = tmp_path / "mlflow.db"
    MlflowClient(f"sqlite:///{mlflow_db}").create_experiment("e")  # a real MLflow store
    before = _tables(mlflow_db)
    assert main(["run", "--study", "s", "--storage", f"sqlite:///{mlflow_db}", "--no-mlflow"]) == 2
    assert (f"error: --storage (STORAGE) sqlite:///{mlflow_db}: an Optuna database (or a new file) must hold, "
            f"but {mlflow_db} is an MLflow database; pass another file, it is left untouched"
            ) in capsys.readouterr().err
    assert _tables(mlflow_db) == before and "studies" not in before


def test_mlflow_pointed_at_the_optuna_database_is_refused_before_the_study_runs(tmp_path, capsys, monkeypatch):
    optuna_db = tmp_path / "optuna.db"
    optuna.create_study(study_name="other", storage=f"sqlite:///{optuna_db}")
    before = _tables(optuna_db)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{optuna_db}")
    assert main(["run", "--study", "s", "--storage", f"sqlite:///{tmp_path}/new.db", "--data", str(tmp_path)]) == 2
    assert (f"error: MLFLOW_TRACKING_URI sqlite:///{optuna_db}: an MLflow database (or a new file) must hold, but "
            f"{optuna_db} is an Optuna database") in capsys.readouterr().err
    assert _tables(optuna_db) == before and "experiments" not in before
    assert not (tmp_path / "new.db").exists()  # refused before the study's storage was made


def test_a_torn_page_in_the_study_file_is_one_line_with_sqlite_s_verdict(tmp_path, capsys):
    """One 4 KB page of a real study file overwritten with random bytes (a torn write): front and report
    answer with one line naming the file and SQLite's integrity verdict, exit 2, no traceback."""
    path = tmp_path / "optuna.db"
    study = optuna.create_study(study_name="s", storage=f"sqlite:///{path}", directions=["maximize", "minimize"])
    distribution = optuna.distributions.IntDistribution(1, 64)
    study.add_trials([optuna.trial.create_trial(values=[i / 300, 1000 - i], params={"filters": 1 + i % 64},
                                                distributions={"filters": distribution},
                                                user_attrs={"description": "x" * 200}) for i in range(300)])
    pages = path.stat().st_size // 4096
    with open(path, "r+b") as handle:  # a page in the middle: the trials' rows, not the header
        handle.seek(pages // 2 * 4096)
        handle.write(np.random.default_rng(0).bytes(4096))
    for command in ("front", "report"):
        assert main([command, "--study", "s", "--storage", f"sqlite:///{path}"]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "Traceback" not in err, err
        assert err.startswith(f"error: --storage (STORAGE) sqlite:///{path}: a sound Optuna database must hold") or \
            err.startswith(f"error: --storage (STORAGE) sqlite:///{path}: a readable SQLite file must hold"), err
        assert "integrity check: " in err and "integrity check: ok" not in err, err
