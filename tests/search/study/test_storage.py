"""A database password never reaches a terminal: errors, hints and make's own recipe echo all mask it."""

import os
import subprocess
from pathlib import Path

import optuna

from search.cli import main
from search.tracking.thread import TrackingThread
from tests.search.postgres import SECRET, postgres_server, postgres_url, started_server  # noqa: F401 (fixtures)

ROOT = Path(__file__).parents[3]


def test_a_missing_study_on_postgres_is_named_without_the_password(postgres_url, capsys):
    assert main(["front", "--study", "nope", "--storage", postgres_url]) == 2
    err = capsys.readouterr().err
    assert "no study 'nope' in postgresql+psycopg2://postgres:***@127.0.0.1:" in err and SECRET not in err
    assert err.startswith("warning: --storage holds a password, which every user of this machine can read in the "
                          "process list while this runs; export STORAGE=<url> and leave --storage out\n")


def test_a_url_that_does_not_parse_is_masked_too(capsys):
    assert main(["front", "--study", "s", "--storage", f"postgresql+psycopg2://user:{SECRET}@db:port/x"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[1].startswith("error: cannot open storage 'postgresql+psycopg2://user:***@db:port/x'")
    assert SECRET not in err


def test_the_sync_mlflow_hint_at_the_end_of_a_run_masks_the_password(postgres_url, capsys, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://mlflow:{SECRET}@127.0.0.1:9")  # nothing listens on port 9
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    storage = postgres_url
    study = optuna.create_study(study_name="h", storage=storage)
    assert TrackingThread(study, storage, flush_seconds=20).finish() is False
    err = capsys.readouterr().err
    assert "run: STORAGE='postgresql+psycopg2://postgres:***@127.0.0.1:" in err and "sync-mlflow --study h" in err
    assert "http://mlflow:***@127.0.0.1:9" in err and SECRET not in err


def test_make_never_echoes_the_password_of_storage():
    env = {**os.environ, "STORAGE": f"postgresql+psycopg2://u:{SECRET}@db/optuna"}
    for target in ("study", "worker", "front", "report", "export", "dashboard", "sync-mlflow", "help"):
        shown = subprocess.run(["make", "-n" if target != "help" else "-s", target, "TRIAL=1"], cwd=ROOT, env=env,
                               capture_output=True, text=True)
        assert shown.returncode == 0 and SECRET not in shown.stdout + shown.stderr, (target, shown.stdout)
    command_line = subprocess.run(["make", "-n", "promote", "TRIAL=1", f"STORAGE=postgresql://u:{SECRET}@db/o"],
                                  cwd=ROOT, capture_output=True, text=True)
    assert "--storage" not in command_line.stdout and SECRET not in command_line.stdout


def test_the_password_can_stay_out_of_the_url_in_pgpassword_or_pgpass(tmp_path, monkeypatch, capsys):
    """A server that checks passwords: the URL carries none; libpq finds it in PGPASSWORD or a .pgpass file."""
    with started_server(password=SECRET) as server:
        url = f"postgresql+psycopg2://postgres@127.0.0.1:{server.port}/postgres"
        monkeypatch.delenv("PGPASSWORD", raising=False)
        monkeypatch.setenv("PGPASSFILE", str(tmp_path / "absent"))
        assert main(["front", "--study", "nope", "--storage", url]) == 2
        assert "error: cannot open storage" in capsys.readouterr().err  # no password anywhere: refused
        monkeypatch.setenv("PGPASSWORD", SECRET)
        assert main(["front", "--study", "nope", "--storage", url]) == 2
        assert "no study 'nope' in postgresql+psycopg2://postgres@127.0.0.1" in capsys.readouterr().err  # connected
        monkeypatch.delenv("PGPASSWORD")
        pgpass = tmp_path / "pgpass"
        pgpass.write_text(f"127.0.0.1:{server.port}:postgres:postgres:{SECRET}\n")
        pgpass.chmod(0o600)  # libpq ignores a password file others can read
        monkeypatch.setenv("PGPASSFILE", str(pgpass))
        assert main(["front", "--study", "nope", "--storage", url]) == 2
        assert "no study 'nope'" in capsys.readouterr().err
