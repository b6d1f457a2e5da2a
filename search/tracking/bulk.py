"""New trial runs written into MLflow's own SQL tables a few hundred at a time, for the first sync of a big study.

Why it exists: through ``MlflowClient`` a new run is create_run + log_batch + set_terminated, about seven commits
and dozens of ORM round trips in MLflow's SQL store, about 30 ms a trial: the first ``sync-mlflow`` of a
1,000-trial study into an empty SQLite store took 36 s idle (42 s with the machine busy); written here, one
transaction per ``CHUNK`` runs, the 1,000 runs take 0.7 s and the whole command 9 s (10 s busy). Measured with
``STORAGE=sqlite:///DIR/c1000.db MLFLOW_TRACKING_URI=sqlite:///DIR/ml.db python -m search sync-mlflow --study s``
on a fresh store, side by side with the client path, 2 cores, and ``python -m bench.scale`` (BENCHMARKS.md,
"Commands at 100 and 1,000 trials").

Used only for runs that do not exist yet, and only on MLflow's SQLite store (the local store, ``sqlite:///``
URIs: the one the parity test below runs against) at the schema revision ``SCHEMA`` whose tables this fills; an
HTTP tracking server, a PostgreSQL or MySQL store, another schema, or a run to repair goes through the client.
Every column is filled as create_run, log_batch and set_terminated fill it (MLflow's own validation, NaN and
infinity handling, and latest-metric rule), with MLflow's ORM tables and session maker:
tests/search/tracking/test_bulk.py reads runs written both ways back through the client and compares every stored
row, and fails when an MLflow upgrade changes either.

A run, its tags, params, metrics and its final status are in one transaction: a sync stopped at any point leaves
each run whole or absent, so the next sync finds every trial complete or missing and writes only what is missing.
Artifacts (a model summary too long for a tag) are written before their run's transaction: an interruption can
leave an artifact folder no run points to, never a run without its artifact.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from mlflow import MlflowClient
from mlflow.entities import LifecycleStage, Metric, SourceType
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository
from mlflow.store.tracking.dbmodels.models import SqlLatestMetric, SqlMetric, SqlParam, SqlRun, SqlTag
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
from mlflow.utils.mlflow_tags import MLFLOW_RUN_NAME, MLFLOW_USER
from mlflow.utils.uri import append_to_uri_path
from mlflow.utils.validation import _validate_metric, _validate_param
from sqlalchemy import insert, text

from search.tracking.trial_run import NewRun

# The alembic revision of MLflow's tables that this module writes (MLflow 3.17); another one, older or newer, uses
# the client. After an MLflow upgrade: if test_bulk passes with the new revision, put it here.
SCHEMA = "dc11669786a5"
CHUNK = 250  # runs per transaction: ~10,000 rows, well under a second of SQLite's write lock


def sql_store(client: MlflowClient) -> SqlAlchemyStore | None:
    """The client's store if it is MLflow's SQLite store with the tables this module knows (``SCHEMA``), else None."""
    store = client._tracking_client.store
    if not isinstance(store, SqlAlchemyStore) or store.db_type != "sqlite":
        return None
    with store.ManagedSessionMaker() as session:
        revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return store if revision == SCHEMA else None


def _metric_rows(store: SqlAlchemyStore, run_id: str, metrics: list[Metric]) -> tuple[list[dict], list[dict]]:
    """The run's metric rows (exact duplicates once, as MLflow keeps them) and its latest value of each key:
    MLflow's rule is the greatest (step, timestamp, value), the first logged on a tie."""
    rows, seen, latest = [], set(), {}
    for index, metric in enumerate(metrics):
        _validate_metric(metric.key, metric.value, metric.timestamp, metric.step, path=f"metrics[{index}]")
        is_nan, value = store.sanitize_metric_value(metric.value)  # NaN: 0 flagged is_nan; infinity: float max
        row = {"run_uuid": run_id, "key": metric.key, "value": value, "timestamp": metric.timestamp,
               "step": metric.step, "is_nan": is_nan}
        if (identity := tuple(row.values())) in seen:
            continue
        seen.add(identity)
        rows.append(row)
        last = latest.get(metric.key)
        if last is None or (row["step"], row["timestamp"], row["value"]) > (last["step"], last["timestamp"],
                                                                            last["value"]):
            latest[metric.key] = row
    return rows, list(latest.values())


def _write_texts(artifact_uri: str, texts: dict[str, str], tracking_uri: str) -> None:
    """As ``MlflowClient.log_text`` writes them."""
    if not texts:
        return
    repo = get_artifact_repository(artifact_uri, tracking_uri=tracking_uri)
    with tempfile.TemporaryDirectory() as folder:
        for name, content in texts.items():
            path = Path(folder, name)
            path.write_text(content, encoding="utf-8")
            repo.log_artifact(str(path))


def insert_runs(store: SqlAlchemyStore, experiment_id: str, runs: list[NewRun], tracking_uri: str) -> list[str]:
    """Create ``runs`` in the experiment, ``CHUNK`` per transaction; their ids, in order."""
    experiment = store.get_experiment(experiment_id)
    store._check_experiment_is_active(experiment)  # what create_run refuses
    ids = []
    for start in range(0, len(runs), CHUNK):
        rows: dict[type, list[dict]] = {table: [] for table in (SqlRun, SqlTag, SqlParam, SqlMetric, SqlLatestMetric)}
        for run in runs[start:start + CHUNK]:
            run_id = uuid.uuid4().hex
            artifact_uri = append_to_uri_path(experiment.artifact_location, run_id,
                                              SqlAlchemyStore.ARTIFACTS_FOLDER_NAME)
            rows[SqlRun].append({
                "run_uuid": run_id, "name": run.name, "source_type": SourceType.to_string(SourceType.UNKNOWN),
                "source_name": "", "entry_point_name": "", "user_id": run.tags.get(MLFLOW_USER, "unknown"),
                "status": run.status, "start_time": run.start_time, "end_time": run.end_time, "deleted_time": None,
                "source_version": "", "lifecycle_stage": LifecycleStage.ACTIVE, "artifact_uri": artifact_uri,
                "experiment_id": int(experiment_id)})
            rows[SqlTag] += [{"run_uuid": run_id, "key": k, "value": v}
                             for k, v in {**run.tags, MLFLOW_RUN_NAME: run.name}.items()]
            params = [_validate_param(k, v, path=f"params[{i}]") for i, (k, v) in enumerate(run.params.items())]
            rows[SqlParam] += [{"run_uuid": run_id, "key": p.key, "value": p.value} for p in params]
            metrics, latest = _metric_rows(store, run_id, run.metrics)
            rows[SqlMetric] += metrics
            rows[SqlLatestMetric] += latest
            _write_texts(artifact_uri, run.texts, tracking_uri)
            ids.append(run_id)
        with store.ManagedSessionMaker(read_only=False) as session:  # commits all of it, or none
            for table, values in rows.items():
                if values:
                    session.execute(insert(table.__table__), values)  # one executemany a table
    return ids
