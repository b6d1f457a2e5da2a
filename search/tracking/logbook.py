"""The study's MLflow logbook: one experiment per study, a parent run for the study, one nested run per
finished trial (COMPLETE -> FINISHED, FAIL -> FAILED, PRUNED -> KILLED; RUNNING trials wait until they end).

Everything is written from the Optuna storage alone (a ``FrozenTrial`` and the study's user attributes;
``search.tracking.trial_run`` says what a run holds), so live logging and ``sync-mlflow`` share one path. A run
is keyed by its tags (study, trial number): writing a trial again updates its run. Metric timestamps are the
trial's own end time, so rewriting a metric is a no-op (MLflow drops exact duplicates), and the run's final
status, written last, marks its record complete.
Keras' model summary is the run's tag ``model_summary``, or the artifact ``model_summary.txt`` when too long.

``sync`` writes the runs that do not exist yet straight into a SQLite store's tables, a few hundred per transaction
(``search.tracking.bulk``): through the client the first sync of 1,000 trials took 36 s (42 s on a busy machine),
in bulk 9 s (10 s), 0.7 s of it writing the runs (medians side by side, 2 cores; BENCHMARKS.md, "Commands at 100
and 1,000 trials"). Runs to repair, and any tracking server, go through the client as live logging does.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import optuna
from mlflow import MlflowClient
from mlflow.entities import Param, Run, RunTag
from mlflow.exceptions import MlflowException
from mlflow.utils.validation import MAX_ENTITIES_PER_BATCH, MAX_PARAM_VAL_LENGTH
from optuna.trial import FrozenTrial, TrialState
from sqlalchemy.engine import make_url

from objectives.errors import TrackingError
from search.study import StudyRecord, masked
from search.tracking.bulk import insert_runs, sql_store
from search.tracking.settings import (
    PARENT_TAG,
    STORAGE_TAG,
    STUDY_TAG,
    TRIAL_TAG,
    artifact_location,
    experiment_name,
    prepare_tracking,
    tracking_uri,
)
from search.tracking.trial_run import RUN_STATUS, flat_params, trial_run
from search.views.artifacts import write_study_artifacts


@dataclass(frozen=True)
class SyncCounts:
    created: int
    updated: int
    unchanged: int


def storage_identity(storage_url: str) -> str:
    """The storage as MLflow records it: without its password (tags are visible to every reader) and with a
    SQLite file as an absolute path, so one storage has one name wherever the command was run."""
    try:
        url = make_url(storage_url)
    except Exception:  # not an SQLAlchemy URL (e.g. a journal file): nothing to hide or resolve
        return storage_url
    if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
        url = url.set(database=str(Path(url.database).expanduser().resolve()))
    return url.render_as_string(hide_password=True)


def study_params(study: optuna.Study) -> dict[str, str]:
    """What the parent run says about the study: how it was made, on which data, searched how."""
    record = StudyRecord.load(study)
    return {
        "space_file": record.space_file, "dataset_fingerprint": record.fingerprint, "data_dir": record.data_dir,
        "class_names": ",".join(record.class_names)[:MAX_PARAM_VAL_LENGTH], "num_classes": str(len(record.class_names)),
        "sampler": record.sampler, "directions": ",".join(d.name.lower() for d in study.directions),
        "metric_names": ",".join(study.metric_names or []), "test_fraction": str(record.test_fraction),
        "test_images": str(len(record.test_files)), **flat_params("training.", record.training),
    }


class Logbook:
    """Writes one study into MLflow with an explicit client, so nothing depends on a global active run."""

    def __init__(self, study: str, storage: str, uri: str | None = None):
        self.study, self.storage, self.uri = study, storage_identity(storage), uri or tracking_uri()
        prepare_tracking(self.uri)
        self.client = MlflowClient(self.uri)
        self._experiment_id: str | None = None
        self._parent_run_id: str | None = None

    def experiment_id(self) -> str:
        """The study's experiment, made with its artifacts beside a SQLite store (not in ./mlruns)."""
        if self._experiment_id is None:
            name = experiment_name(self.study)
            found = self.client.get_experiment_by_name(name)
            self._experiment_id = found.experiment_id if found else self._create_experiment(name)
        return self._experiment_id

    def _create_experiment(self, name: str) -> str:
        """Create the experiment; if another worker created it since we looked (two workers starting
        together), use theirs: that race used to print a false "MLflow logging failed"."""
        try:
            return self.client.create_experiment(name, artifact_location=artifact_location(self.study, self.uri),
                                                 tags={STUDY_TAG: self.study})
        except MlflowException:
            found = self.client.get_experiment_by_name(name)
            if found is None:
                raise
            return found.experiment_id

    def _search(self, condition: str) -> list[Run]:
        """All runs of this study's experiment matching ``condition`` (every page), oldest first."""
        runs, token = [], None
        while True:
            page = self.client.search_runs([self.experiment_id()], f"tags.`{STUDY_TAG}` = '{self.study}' {condition}",
                                           max_results=1000, order_by=["attributes.start_time ASC"], page_token=token)
            runs += list(page)
            token = page.token
            if not token:
                return runs

    def parent_run_id(self, study: optuna.Study | None = None) -> str:
        """The study's parent run, made (from ``study``'s record) the first time it is needed."""
        if self._parent_run_id is None:
            found = self._search(f"and tags.`{PARENT_TAG}` = 'true'")
            if found and found[0].data.tags.get(STORAGE_TAG) != self.storage:
                # Two studies of one name (two storages, one tracking server) would overwrite each other's runs.
                raise TrackingError(f"MLflow experiment {experiment_name(self.study)} records the study {self.study!r} "
                                    f"of another storage ({found[0].data.tags.get(STORAGE_TAG)}); give this study "
                                    "another name or set MLFLOW_TRACKING_URI to another store")
            if found:
                self._parent_run_id = found[0].info.run_id
            else:
                if study is None:
                    raise TrackingError(f"study {self.study!r} has no parent run in MLflow yet")
                self._parent_run_id = self.client.create_run(
                    self.experiment_id(), run_name=self.study,
                    tags={STUDY_TAG: self.study, PARENT_TAG: "true", STORAGE_TAG: self.storage}).info.run_id
            if study is not None:
                params = [Param(k, v) for k, v in study_params(study).items()]
                self.client.log_batch(self._parent_run_id, params=params)
        return self._parent_run_id

    def set_parent_status(self, status: str) -> None:
        """RUNNING while a session runs; FINISHED, KILLED (Ctrl-C) or FAILED (a crash) when it ends."""
        if status == "RUNNING":
            self.client.update_run(self.parent_run_id(), status=status)
        else:
            self.client.set_terminated(self.parent_run_id(), status)

    def trial_runs(self) -> dict[int, Run]:
        """This study's trial runs by trial number (the oldest, should a race have made two)."""
        runs: dict[int, Run] = {}
        for run in self._search(f"and tags.`{TRIAL_TAG}` != ''"):
            runs.setdefault(int(run.data.tags[TRIAL_TAG]), run)
        return runs

    def find_trial_run(self, number: int) -> Run | None:
        """Searched each time rather than cached: another worker or a sync may have made it meanwhile."""
        found = self._search(f"and tags.`{TRIAL_TAG}` = '{number}'")
        return found[0] if found else None

    def log_trial(self, trial: FrozenTrial) -> str | None:
        """Create or update the run of a finished trial."""
        if trial.state not in RUN_STATUS:
            return None
        return self.write_trial(trial, self.find_trial_run(trial.number))

    def write_trial(self, trial: FrozenTrial, run: Run | None) -> str:
        """Write a finished trial into its ``run``, or into a new run when it has none, through the client; the
        caller looked (sync lists every run once: a search per trial cost 9 ms each)."""
        new = trial_run(self.study, self.storage, self.parent_run_id(), trial)
        batch_tags = [RunTag(k, v) for k, v in new.tags.items()] if run else []  # a new run gets them when made
        run_id = run.info.run_id if run else self.client.create_run(
            self.experiment_id(), start_time=new.start_time, tags=new.tags, run_name=new.name).info.run_id
        params = [Param(k, v) for k, v in new.params.items()]
        metrics, room = new.metrics, MAX_ENTITIES_PER_BATCH - len(params) - len(batch_tags)
        # One write for a usual trial: each is several SQLAlchemy sessions in MLflow's store.
        self.client.log_batch(run_id, metrics=metrics[:room], params=params, tags=batch_tags)
        for start in range(room, len(metrics), MAX_ENTITIES_PER_BATCH):
            self.client.log_batch(run_id, metrics=metrics[start:start + MAX_ENTITIES_PER_BATCH])
        for name, content in new.texts.items():
            self.client.log_text(run_id, content, name)
        # Last: a run still RUNNING after a crash mid-way is seen as incomplete and rewritten by sync.
        self.client.set_terminated(run_id, new.status, end_time=new.end_time)
        return run_id

    def log_study_artifacts(self, study: optuna.Study) -> list[str]:
        """The study's plots and tables on the parent run (rewritten each time: they follow the study)."""
        with tempfile.TemporaryDirectory() as folder:
            files = write_study_artifacts(study, Path(folder))
            for path in files:
                self.client.log_artifact(self.parent_run_id(study), str(path))
            return [path.name for path in files]

    def sync(self, study: optuna.Study) -> SyncCounts:
        """Bring MLflow up to the Optuna storage: every finished trial not yet completely logged is written, the
        ones without a run straight into a SQLite store's tables (``search.tracking.bulk``), the others by the
        client."""
        self.parent_run_id(study)
        runs, store, missing, updated, unchanged = self.trial_runs(), sql_store(self.client), [], 0, 0
        for trial in study.get_trials(deepcopy=False, states=tuple(RUN_STATUS)):
            run = runs.get(trial.number)
            if run and run.info.status == RUN_STATUS[trial.state]:
                unchanged += 1
            elif run:
                self.write_trial(trial, run)
                updated += 1
            else:
                missing.append(trial)
        if store is not None and missing:
            new = [trial_run(self.study, self.storage, self.parent_run_id(), trial) for trial in missing]
            insert_runs(store, self.experiment_id(), new, self.uri)
        else:
            for trial in missing:
                self.write_trial(trial, None)
        return SyncCounts(len(missing), updated, unchanged)


def one_line(error: BaseException, limit: int = 300) -> str:
    """An MLflow/HTTP error as one short line (their messages run to pages of retry details)."""
    text = masked(" ".join(str(error).split()))
    return f"{error.__class__.__name__}: {text[:limit]}{'...' if len(text) > limit else ''}"


def sync_study(study: optuna.Study, storage: str) -> str:
    """``sync-mlflow``: repair MLflow from the Optuna storage (the source of truth); says what it changed."""
    StudyRecord.load(study)  # refuses, in its own words, a study this service did not make
    logbook = Logbook(study.study_name, storage)
    try:
        counts = logbook.sync(study)
        artifacts = logbook.log_study_artifacts(study)
        if not study.get_trials(deepcopy=False, states=(TrialState.RUNNING, TrialState.WAITING)):
            logbook.set_parent_status("FINISHED")
    except TrackingError:
        raise
    except Exception as error:  # the server, the network or the store: all mean "MLflow cannot be written"
        raise TrackingError(f"cannot write study {study.study_name!r} to MLflow at {masked(logbook.uri)}: "
                            f"{one_line(error)}; "
                            "check MLFLOW_TRACKING_URI (unset: the local store mlflow/mlflow.db) and run sync-mlflow "
                            "again; nothing is lost, the Optuna storage holds every trial") from None
    return (f"MLflow {masked(logbook.uri)}, experiment {experiment_name(study.study_name)}: "
            f"{counts.created} runs created, {counts.updated} updated, {counts.unchanged} already complete; "
            f"parent run {logbook.parent_run_id()} with {', '.join(artifacts)}")
