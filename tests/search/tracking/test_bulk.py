"""New runs written straight into MLflow's tables read back exactly as the client writes them: the same finished
trials synced through both paths into two real SQLite stores, compared through MlflowClient and row by row.
These tests are what an MLflow upgrade that changes its tables or its rules fails."""

import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import mlflow
import optuna
import pytest
import sqlalchemy
import yaml
from mlflow import MlflowClient
from optuna.trial import TrialState

from objectives.config import TrainingConfig
from search.runner.run import RunSettings, run_study
from search.study import SystemAttr, TrialAttr, open_study
from search.tracking import bulk
from search.tracking.logbook import Logbook, sync_study
from search.tracking.settings import TRIAL_TAG
from search.tracking.trial_run import PARENT_RUN_TAG, RUN_STATUS, SUMMARY_FILE
from tests.conftest import digits_subset
from tests.search.tracking.test_logbook import _refusing_uri, _space

REPO = Path(__file__).parents[3]
STUDY = "p"
UPGRADE = (f"MLflow {mlflow.__version__} stores runs differently from what search/tracking/bulk.py writes: make "
           "insert_runs fill every table and column as create_run, log_batch and set_terminated now do, then set "
           "bulk.SCHEMA to this MLflow's schema revision")


@pytest.fixture(scope="module")
def trained(digits_root, tmp_path_factory):
    """A real study of one trained trial: COMPLETE, with learning curves, fold accuracies and a model summary."""
    folder = tmp_path_factory.mktemp("trained")
    space = _space(folder)
    data = yaml.safe_load(space.read_text())
    del data["families"]["plain"]  # mobilenet only: it trains at 16 px
    space.write_text(yaml.safe_dump(data))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{folder}/live.db")
        data = digits_subset(digits_root, folder / "digits", per_class=12, classes=3)
        return run_study(RunSettings(study=STUDY, storage=f"sqlite:///{folder}/optuna.db", trials=1, data_dir=data,
                                     space=space, training=TrainingConfig(epochs=2, folds=2), sampler="random",
                                     cache_root=folder / "cache"))


def _study(trained: optuna.Study, storage: str, extra: int = 0) -> optuna.Study:
    """``trained``'s record and trials, and every other kind of finished trial sync meets, built from its
    complete one: FAIL with a reason, PRUNED with one, a retry, a summary too long for a tag, NaN and infinite
    metrics, repeated and tied curve points, and more metrics than one MLflow batch holds; ``extra`` more copies."""
    study = optuna.create_study(study_name=STUDY, storage=storage, directions=trained.directions)
    for key, value in trained.user_attrs.items():
        study.set_user_attr(key, value)
    study.add_trials(trained.get_trials())
    done = next(t for t in trained.get_trials() if t.state == TrialState.COMPLETE)
    attrs = {TrialAttr.CONFIG: done.user_attrs[TrialAttr.CONFIG], TrialAttr.DESCRIPTION: "a copy"}

    def add(state=TrialState.COMPLETE, system_attrs=None, **more):
        study.add_trial(optuna.trial.create_trial(
            state=state, values=done.values if state == TrialState.COMPLETE else None, params=done.params,
            distributions=done.distributions, user_attrs={**done.user_attrs, **attrs, **more},
            system_attrs=system_attrs or {}))

    add(TrialState.FAIL, fail_reason="ResourceExhaustedError: OOM when allocating tensor")
    add(TrialState.PRUNED, pruned_reason="over the MACs budget")
    add(TrialState.PRUNED, system_attrs={SystemAttr.FAILED_TRIAL: 2, SystemAttr.RETRY_HISTORY: [2]})
    add(model_summary="\n".join(f"layer {n}: " + "x" * 90 for n in range(100)))  # 10,000 characters
    add(cv_accuracy_std=math.nan, training_seconds=math.inf, build_seconds=-math.inf)
    add(learning_curves=[{"epoch": [1, 1, 2, 2, 2, 3, 3], "loss": [0.9, 0.9, 0.5, 0.7, 0.6, 0.0, math.nan],
                          "accuracy": [0, 0, 1, 1, 1, math.nan, 0.0]}])  # the latest of NaN and 0 at one step
    add(learning_curves=[{"epoch": list(range(1, 601)), "loss": [1 / n for n in range(1, 601)],
                          "accuracy": [n / 600 for n in range(1, 601)]}])  # 1,200 points: two batches by client
    for _ in range(extra):
        add()
    return study


def _by_client(logbook: Logbook, study: optuna.Study) -> None:
    """What sync did before the bulk path: one create_run, log_batch and set_terminated per trial."""
    logbook.parent_run_id(study)
    for trial in study.get_trials(states=tuple(RUN_STATUS)):
        logbook.write_trial(trial, None)


def _floats(values) -> list:
    return [("nan" if isinstance(v, float) and math.isnan(v) else v) for v in values]


def _read(uri: str, storage: str) -> dict[int, dict]:
    """Every trial run as MlflowClient reads it, found the ways this code finds runs."""
    client, logbook = MlflowClient(uri), Logbook(STUDY, storage, uri)
    parent, experiment = logbook.parent_run_id(), client.get_experiment(logbook.experiment_id())
    runs, seen = logbook.trial_runs(), {}
    assert len(client.search_runs([experiment.experiment_id], max_results=1000)) == len(runs) + 1  # no duplicate
    for number, run in runs.items():
        info, data = run.info, run.data
        assert logbook.find_trial_run(number).info.run_id == info.run_id
        assert repr(client.get_run(info.run_id).data.to_dictionary()) == repr(data.to_dictionary())  # NaN alike
        assert info.artifact_uri == f"{experiment.artifact_location}/{info.run_id}/artifacts"
        assert data.tags[PARENT_RUN_TAG] == parent
        seen[number] = {
            "info": (info.status, info.start_time, info.end_time, info.run_name, info.lifecycle_stage, info.user_id,
                     info.experiment_id),
            "params": data.params, "tags": {k: v for k, v in data.tags.items() if k != PARENT_RUN_TAG},
            "metrics": dict(zip(data.metrics, _floats(data.metrics.values()))),
            "history": {key: sorted((m.step, m.timestamp, repr(m.value)) for m in  # repr: NaN equals NaN
                                    client.get_metric_history(info.run_id, key)) for key in data.metrics},
            "artifacts": {a.path: Path(client.download_artifacts(info.run_id, a.path)).read_text()
                          for a in client.list_artifacts(info.run_id)},
        }
    best = client.search_runs([experiment.experiment_id], "metrics.cv_accuracy >= 0", max_results=1000,
                              order_by=["metrics.cv_accuracy DESC", "attributes.start_time ASC"])
    seen["by cv_accuracy"] = [r.data.tags[TRIAL_TAG] for r in best]
    return seen


def _rows(uri: str, storage: str) -> dict[str, list]:
    """Every row of every run-level table, run ids and the store's folder named alike across stores."""
    logbook = Logbook(STUDY, storage, uri)
    names = {run.info.run_id: f"<trial {n}>" for n, run in logbook.trial_runs().items()}
    names[logbook.parent_run_id()] = "<parent>"
    folder = str(Path(uri.removeprefix("sqlite:///")).parent)
    engine = sqlalchemy.create_engine(uri)
    tables = {}
    with engine.connect() as connection:
        for table in sqlalchemy.inspect(engine).get_table_names():
            if table in ("alembic_version", "experiments", "experiment_tags", "workspaces"):  # one client path
                continue
            rows = []
            for row in connection.execute(sqlalchemy.text(f'SELECT * FROM "{table}"')).mappings():
                row = {k: (v.replace(folder, "<store>") if isinstance(v, str) else v) for k, v in row.items()}
                for run_id, name in names.items():
                    row = {k: (v.replace(run_id, name) if isinstance(v, str) else v) for k, v in row.items()}
                if row.get("run_uuid") != "<parent>":  # the parent's times are the moment each test made it
                    rows.append(repr(sorted(row.items())))
            tables[table] = sorted(rows)
    engine.dispose()
    return tables


def test_the_bulk_path_is_used_on_this_mlflow_and_not_on_a_tracking_server(tmp_path):
    store = MlflowClient(f"sqlite:///{tmp_path}/mlflow.db")._tracking_client.store
    with store.ManagedSessionMaker() as session:
        revision = session.execute(sqlalchemy.text("SELECT version_num FROM alembic_version")).scalar()
    assert revision == bulk.SCHEMA, f"{UPGRADE} ({revision!r}; test_new_runs_read_back_as_the_client_writes_them)"
    assert bulk.sql_store(MlflowClient(f"sqlite:///{tmp_path}/mlflow.db")) is store
    assert bulk.sql_store(MlflowClient(_refusing_uri())) is None  # never contacted: the client path decides


def test_new_runs_read_back_as_the_client_writes_them(trained, tmp_path):
    storage = f"sqlite:///{tmp_path}/optuna.db"
    study = _study(trained, storage)
    fast, slow = f"sqlite:///{tmp_path}/fast/mlflow.db", f"sqlite:///{tmp_path}/slow/mlflow.db"
    assert bulk.sql_store(Logbook(STUDY, storage, fast).client) is not None, UPGRADE
    counts = Logbook(STUDY, storage, fast).sync(study)
    _by_client(Logbook(STUDY, storage, slow), study)
    assert (counts.created, counts.updated, counts.unchanged) == (len(study.get_trials()), 0, 0)

    by_bulk, by_client = _read(fast, storage), _read(slow, storage)
    assert sorted(by_bulk, key=str) == sorted(by_client, key=str)
    for number in by_client:
        for part in by_client[number] if number != "by cv_accuracy" else [None]:
            got, want = (by_bulk[number], by_client[number]) if part is None else \
                (by_bulk[number][part], by_client[number][part])
            assert got == want, f"trial {number}, {part or 'search order'}: {UPGRADE}"
    long = next(t.number for t in study.get_trials() if len(t.user_attrs.get(TrialAttr.MODEL_SUMMARY, "")) > 8000)
    assert SUMMARY_FILE in by_bulk[long]["artifacts"]
    infinite = next(t.number for t in study.get_trials() if t.user_attrs.get(TrialAttr.TRAINING_SECONDS) == math.inf)
    nan = by_bulk[infinite]
    assert nan["metrics"]["cv_accuracy_std"] == "nan" and nan["metrics"]["training_seconds"] == 1.7976931348623157e308

    rows_bulk, rows_client = _rows(fast, storage), _rows(slow, storage)
    for table in sorted(set(rows_bulk) | set(rows_client)):
        bulk_only = sorted(set(rows_bulk.get(table, [])) - set(rows_client.get(table, [])))
        client_only = sorted(set(rows_client.get(table, [])) - set(rows_bulk.get(table, [])))
        assert rows_bulk.get(table) == rows_client.get(table), \
            f"table {table}: rows only the client wrote {client_only[:3]}, only the bulk path {bulk_only[:3]}: " \
            f"{UPGRADE}"


KILLED_MID_CHUNK = """
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine
from search.study import open_study
from search.tracking import bulk
from search.tracking.logbook import sync_study

bulk.CHUNK = 3
chunks = []

@event.listens_for(Engine, "after_execute")
def stop(connection, statement, *args):
    # After the second chunk's last insert, before its commit: the process dies inside the transaction.
    if getattr(getattr(statement, "table", None), "name", None) == "latest_metrics":
        chunks.append(1)
        if len(chunks) == 2:
            os.kill(os.getpid(), signal.SIGKILL)

sync_study(open_study(sys.argv[1], sys.argv[2]), sys.argv[2])
"""


def test_a_sync_killed_inside_a_chunk_leaves_whole_runs_and_the_next_sync_writes_the_rest(trained, tmp_path,
                                                                                          monkeypatch):
    storage, uri = f"sqlite:///{tmp_path}/optuna.db", f"sqlite:///{tmp_path}/mlflow/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    study = _study(trained, storage, extra=3)  # 12 trials: chunks of 3, 3, 3, 3
    killed = subprocess.run([sys.executable, "-c", KILLED_MID_CHUNK, STUDY, storage], cwd=REPO, capture_output=True,
                            text=True, env={**os.environ, "MLFLOW_TRACKING_URI": uri})
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]

    logbook, client = Logbook(STUDY, storage, uri), MlflowClient(uri)
    runs, trials = logbook.trial_runs(), {t.number: t for t in study.get_trials()}
    assert len(runs) == 3  # the first chunk, committed; nothing of the second
    for number, run in runs.items():
        assert run.info.status == RUN_STATUS[trials[number].state] and run.data.params and run.data.metrics
    total = len(trials)
    assert f"{total - 3} runs created, 0 updated, 3 already complete" in sync_study(open_study(STUDY, storage), storage)
    experiment = logbook.experiment_id()
    numbers = [r.data.tags.get(TRIAL_TAG) for r in client.search_runs([experiment], max_results=1000)]
    assert sorted(n for n in numbers if n is not None) == sorted(str(n) for n in trials) and len(numbers) == total + 1
