"""Every trial in MLflow: real studies, a real MLflow SQLite store in a temporary folder, a real refusing server."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
import yaml
from mlflow import MlflowClient
from optuna.trial import TrialState

from objectives.config import TrainingConfig
from objectives.errors import TrackingError
from search.runner.run import RunSettings, run_study
from search.study import open_study
from search.tracking.logbook import Logbook, storage_identity, sync_study
from search.tracking.settings import (
    PARENT_TAG,
    STORAGE_TAG,
    STUDY_TAG,
    TRIAL_TAG,
    experiment_name,
)
from search.tracking.thread import TrackingThread
from search.tracking.trial_run import REASON_TAG, RETRY_TAG, SUMMARY_FILE, SUMMARY_TAG
from spaces.space import DEFAULT_SPACE
from tests.conftest import digits_subset

REPO = Path(__file__).parents[3]
STATUS = {TrialState.COMPLETE: "FINISHED", TrialState.FAIL: "FAILED", TrialState.PRUNED: "KILLED"}


def _space(folder: Path) -> Path:
    """Two families at 16 px: 'plain' with three pooling blocks cannot fit (a FAIL), mobilenet trains."""
    data = yaml.safe_load(DEFAULT_SPACE.read_text())
    data.update(image_sizes=[16], generators=[1, 3])
    data["families"] = {"plain": {"conv_blocks": {"low": 3, "high": 3}, "filters": {"low": 2, "high": 4},
                                  "dense_layers": {"low": 1, "high": 1}, "neurons": {"low": 4, "high": 8}},
                        "mobilenet": {**data["families"]["mobilenet"], "blocks": {"low": 1, "high": 1},
                                      "width_multiplier": {"choices": [0.25]}}}
    path = folder / "space.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _settings(folder: Path, data: Path | None, trials: int, name: str = "t") -> RunSettings:
    return RunSettings(study=name, storage=f"sqlite:///{folder}/optuna.db", trials=trials, data_dir=data,
                       space=_space(folder), training=TrainingConfig(epochs=2, folds=2), sampler="random",
                       cache_root=folder / "cache")


def _refusing_uri() -> str:
    """A local port with nothing listening: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def _runs(uri: str, study: str) -> list:
    client = MlflowClient(uri)
    experiment = client.get_experiment_by_name(experiment_name(study))
    return client.search_runs([experiment.experiment_id], max_results=1000) if experiment else []


def _cli(*args: str, uri: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search", *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "MLFLOW_TRACKING_URI": uri, "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"})


@pytest.fixture(scope="module")
def logged(digits_root, tmp_path_factory):
    """A study run in two sessions (2 trials, then resumed to 3), logged live into a fresh MLflow store."""
    folder = tmp_path_factory.mktemp("tracked")
    uri = f"sqlite:///{folder}/mlflow/mlflow.db"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MLFLOW_TRACKING_URI", uri)
        data = digits_subset(digits_root, folder / "digits", per_class=12, classes=3)
        run_study(_settings(folder, data, 2))
        study = run_study(_settings(folder, None, 3))
        yield study, uri, folder


def test_every_trial_has_one_run_under_one_parent_with_its_status(logged):
    study, uri, folder = logged
    trials = study.get_trials()
    assert {t.state for t in trials} == {TrialState.COMPLETE, TrialState.PRUNED}  # the space makes both
    runs = _runs(uri, "t")
    parents = [r for r in runs if r.data.tags.get(PARENT_TAG) == "true"]
    children = {int(r.data.tags[TRIAL_TAG]): r for r in runs if TRIAL_TAG in r.data.tags}
    assert len(parents) == 1 and len(runs) == len(trials) + 1 and sorted(children) == [t.number for t in trials]
    for trial in trials:
        run = children[trial.number]
        assert run.info.status == STATUS[trial.state] and run.data.tags["optuna.trial_state"] == trial.state.name
        assert run.data.tags["mlflow.parentRunId"] == parents[0].info.run_id
        assert run.data.tags[STUDY_TAG] == "t" and run.data.tags[STORAGE_TAG] == f"sqlite:///{folder}/optuna.db"
        config = trial.user_attrs["config"]
        assert run.data.params["architecture.family"] == config["architecture"]["family"]
        assert run.data.params["training.epochs"] == "2" and run.data.params["image_size"] == "16"
        if trial.state == TrialState.PRUNED and "infeasible" in trial.user_attrs["pruned_reason"]:
            assert "cannot run on 16x16" in run.data.tags["mlflow.note.content"] and REASON_TAG not in run.data.tags
            assert "cv_accuracy" not in run.data.metrics
    # The experiment's artifacts live beside its database, never in ./mlruns.
    experiment = MlflowClient(uri).get_experiment_by_name(experiment_name("t"))
    assert experiment.artifact_location == (folder / "mlflow" / "artifacts" / "t").as_uri()
    assert not (REPO / "mlruns").exists()


def test_a_complete_trial_run_holds_metrics_curves_and_summary(logged):
    study, uri, _ = logged
    client = MlflowClient(uri)
    trial = next(t for t in study.get_trials() if t.state == TrialState.COMPLETE)
    run = next(r for r in _runs(uri, "t") if r.data.tags.get(TRIAL_TAG) == str(trial.number))
    metrics = run.data.metrics
    assert metrics["cv_accuracy"] == pytest.approx(trial.values[0])
    assert metrics["params"] == trial.values[1] == trial.user_attrs["params"]
    assert metrics["cv_accuracy_std"] == pytest.approx(trial.user_attrs["cv_accuracy_std"])
    assert metrics["epochs"] == 2 and metrics["training_seconds"] > 0
    folds = client.get_metric_history(run.info.run_id, "fold_accuracy")
    assert [(m.step, m.value) for m in folds] == list(enumerate(trial.user_attrs["fold_accuracies"]))
    curve = client.get_metric_history(run.info.run_id, "train_loss/fold_1")
    assert [(m.step, m.value) for m in curve] == list(enumerate(trial.user_attrs["learning_curves"][1]["loss"], 1))
    summary = run.data.tags[SUMMARY_TAG]  # a tag, written with the run: no artifact write of its own
    assert summary == trial.user_attrs["model_summary"] and "Total params" in summary


def test_the_parent_run_describes_the_study_and_holds_its_front(logged):
    study, uri, _ = logged
    client = MlflowClient(uri)
    parent = next(r for r in _runs(uri, "t") if r.data.tags.get(PARENT_TAG) == "true")
    assert parent.info.status == "FINISHED"
    params = parent.data.params
    assert params["directions"] == "maximize,minimize" and params["class_names"] == "0,1,2"
    assert params["sampler"] == "random" and params["dataset_fingerprint"] == study.user_attrs["fingerprint"]
    assert params["space_file"].endswith("space.yaml")
    artifacts = {a.path for a in client.list_artifacts(parent.info.run_id)}
    assert {"pareto_front.csv", "pareto_front.png", "report.html", "importances.png"} <= artifacts
    report = Path(client.download_artifacts(parent.info.run_id, "report.html")).read_text()
    assert "CV accuracy by image size × generator" in report
    csv_rows = Path(client.download_artifacts(parent.info.run_id, "pareto_front.csv")).read_text().splitlines()
    assert len(csv_rows) == 1 + len(study.best_trials)
    png = Path(client.download_artifacts(parent.info.run_id, "pareto_front.png")).read_bytes()
    assert png.startswith(b"\x89PNG")


def test_logging_again_updates_the_same_run_and_sync_twice_changes_nothing(logged, monkeypatch):
    study, uri, folder = logged
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    storage = f"sqlite:///{folder}/optuna.db"
    before = {r.info.run_id for r in _runs(uri, "t")}
    trial = next(t for t in study.get_trials() if t.state == TrialState.COMPLETE)
    logbook = Logbook("t", storage, uri)
    run_id = logbook.log_trial(trial)
    assert run_id in before and {r.info.run_id for r in _runs(uri, "t")} == before
    assert len(MlflowClient(uri).get_metric_history(run_id, "fold_accuracy")) == 2  # no duplicated points
    for _ in range(2):
        assert "0 runs created, 0 updated, 3 already complete" in sync_study(study, storage)
    assert {r.info.run_id for r in _runs(uri, "t")} == before


def test_a_study_of_the_same_name_from_another_storage_is_refused_not_mixed_in(logged):
    study, uri, folder = logged
    with pytest.raises(TrackingError, match="records the study 't' of another storage"):
        Logbook("t", f"sqlite:///{folder}/other.db", uri).log_trial(study.get_trials()[0])
    assert len(_runs(uri, "t")) == len(study.get_trials()) + 1


def test_the_storage_tag_hides_passwords_and_names_sqlite_files_absolutely(tmp_path, monkeypatch):
    tagged = storage_identity("postgresql+psycopg2://optuna:s3cret@db.example:5432/studies")
    assert "s3cret" not in tagged and tagged.startswith("postgresql+psycopg2://optuna:") and "db.example" in tagged
    monkeypatch.chdir(tmp_path)
    assert storage_identity("sqlite:///studies/optuna.db") == f"sqlite:///{tmp_path}/studies/optuna.db"


def test_a_refusing_tracking_server_does_not_stop_the_study_and_sync_fills_the_gap(small_digits, tmp_path,
                                                                                    monkeypatch, capsys):
    refusing = _refusing_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", refusing)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    study = run_study(_settings(tmp_path, small_digits, 3, name="down"))
    assert len(study.get_trials(states=(TrialState.COMPLETE, TrialState.PRUNED))) == 3
    err = capsys.readouterr().err
    assert err.count("warning: MLflow logging") == 1 and "python -m search sync-mlflow --study down" in err

    # The callback never waits on the server: it only queues the trial.
    thread = TrackingThread(study, f"sqlite:///{tmp_path}/optuna.db", flush_seconds=10)
    started = time.perf_counter()
    for trial in study.get_trials():
        thread(study, trial)
    assert time.perf_counter() - started < 0.05
    assert thread.finish() is False and thread.unlogged == {0, 1, 2}

    storage = f"sqlite:///{tmp_path}/optuna.db"
    refused = _cli("sync-mlflow", "--study", "down", "--storage", storage, uri=refusing)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("error: cannot write study 'down' to MLflow") and refused.stderr.count("\n") == 1

    # A retried trial (what the heartbeat callback adds) and a pruned one, as Optuna stores them.
    config_attrs = study.get_trials()[0].user_attrs
    study.add_trial(optuna.trial.create_trial(state=TrialState.PRUNED, user_attrs=config_attrs,
                                              system_attrs={"failed_trial": 0, "retry_history": [0]}))
    working = f"sqlite:///{tmp_path}/mlflow/mlflow.db"
    first = _cli("sync-mlflow", "--study", "down", "--storage", storage, uri=working)
    assert first.returncode == 0 and "4 runs created, 0 updated, 0 already complete" in first.stdout
    monkeypatch.setenv("MLFLOW_TRACKING_URI", working)
    assert "0 runs created, 0 updated, 4 already complete" in sync_study(open_study("down", storage), storage)
    runs = {int(r.data.tags[TRIAL_TAG]): r for r in _runs(working, "down") if TRIAL_TAG in r.data.tags}
    assert len(runs) == 4 and len(_runs(working, "down")) == 5
    assert runs[3].info.status == "KILLED" and runs[3].data.tags[RETRY_TAG] == "0"
    for trial in open_study("down", storage).get_trials()[:3]:
        assert runs[trial.number].info.status == STATUS[trial.state]


def test_a_worker_that_loses_the_create_experiment_race_uses_the_winners_experiment(tmp_path, monkeypatch):
    """Two workers start together: both find no experiment, one creates it, the other's create fails with
    RESOURCE_ALREADY_EXISTS. That used to print a false "MLflow logging failed"."""
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    winner = Logbook("race", "sqlite:///x.db", uri).experiment_id()
    loser = Logbook("race", "sqlite:///x.db", uri)
    assert loser._create_experiment(experiment_name("race")) == winner  # its lookup came before the winner's create


def test_a_read_only_mlflow_store_gives_one_warning_line_not_mlflow_tracebacks(small_digits, tmp_path):
    store = tmp_path / "ro" / "mlflow.db"
    store.parent.mkdir()
    MlflowClient(f"sqlite:///{store}").search_experiments()  # a real, current store
    if subprocess.run(["chattr", "+i", str(store)], capture_output=True).returncode != 0:
        pytest.skip("this file system cannot make a file immutable (chattr +i), and root ignores permissions")
    try:
        result = _cli("run", "--study", "ro", "--storage", f"sqlite:///{tmp_path}/optuna.db", "--trials", "2",
                      "--data", str(small_digits), "--space", str(_space(tmp_path)), "--epochs", "1", "--folds", "2",
                      "--cache", str(tmp_path / "cache"), uri=f"sqlite:///{store}")
    finally:
        subprocess.run(["chattr", "-i", str(store)], check=True)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "ERROR mlflow" not in result.stderr
    assert result.stderr.count("warning: MLflow logging to sqlite:///") == 1
    assert "attempt to write a readonly database" in result.stderr


def _copies(study: optuna.Study, storage: str, count: int, **attrs) -> optuna.Study:
    """A study of ``count`` finished trials copied from ``study``'s first complete one, with its record."""
    source = next(t for t in study.get_trials() if t.state == TrialState.COMPLETE)
    copy = optuna.create_study(study_name=study.study_name, storage=storage, directions=study.directions)
    for key, value in study.user_attrs.items():
        copy.set_user_attr(key, value)
    copy.add_trials([optuna.trial.create_trial(values=source.values, params=source.params,
                                               distributions=source.distributions,
                                               user_attrs={**source.user_attrs, **attrs}) for _ in range(count)])
    return copy


def test_a_summary_too_long_for_a_tag_is_a_whole_artifact_and_an_interrupted_run_is_rewritten(logged, tmp_path,
                                                                                               monkeypatch):
    study, _, _ = logged
    storage, uri = f"sqlite:///{tmp_path}/optuna.db", f"sqlite:///{tmp_path}/mlflow/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    long = "\n".join(f"layer {n}: " + "x" * 90 for n in range(100))  # 10,000 characters, above MLflow's 8,000
    copy = _copies(study, storage, 2, model_summary=long)
    logbook = Logbook("t", storage, uri)
    logbook.parent_run_id(copy)
    first = copy.get_trials()[0]
    run_id = logbook.write_trial(first, None)
    client = MlflowClient(uri)
    assert Path(client.download_artifacts(run_id, SUMMARY_FILE)).read_text() == long
    assert SUMMARY_FILE in client.get_run(run_id).data.tags[SUMMARY_TAG]
    # A write cut off before its last step (the status): the run is still RUNNING, without params.
    cut = client.create_run(logbook.experiment_id(), tags={STUDY_TAG: "t", TRIAL_TAG: "1"}).info.run_id
    assert "0 runs created, 1 updated, 1 already complete" in sync_study(copy, storage)
    run = client.get_run(cut)
    assert run.info.status == "FINISHED" and run.data.params["image_size"] == str(first.params["image_size"])
    assert run.data.tags[SUMMARY_TAG] == client.get_run(run_id).data.tags[SUMMARY_TAG]
    assert len(_runs(uri, "t")) == 3  # the parent and one run per trial

