"""Several workers on one study, a worker killed mid-trial, Ctrl-C: real processes, real PostgreSQL and SQLite."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from objectives.config import TrainingConfig
from objectives.errors import DataError, SettingError, StorageError, StudyError
from search.runner.optimise import TrialBudget
from search.runner.run import RunSettings, join_study, run_study
from search.study import open_storage
from tests.conftest import TINY_PLAIN, tiny_space
from tests.search.postgres import SECRET, postgres_server, postgres_url  # noqa: F401 (fixtures)
from tests.search.servers import command_lines_holding

ROOT = Path(__file__).parents[3]
FAST = TrainingConfig(epochs=1, folds=2)
QUICK_HEARTBEAT = {"SEARCH_HEARTBEAT_SECONDS": "1", "SEARCH_GRACE_SECONDS": "3"}


def _tiny_space(tmp_path: Path) -> Path:
    """One plain family at one size: the worker tests count trials, not compare them."""
    return tiny_space(tmp_path, image_sizes=[16], generators=[1, 2], families={"plain": TINY_PLAIN})


def _prepared_study(tmp_path, data, storage, trials, name="w", training=FAST) -> None:
    """Create the study and its caches without running a trial, as `run --prepare-only` does. Early stopping
    is off (workers read that from the study), so every trial that runs completes: these tests count them."""
    run_study(RunSettings(study=name, storage=storage, trials=trials, data_dir=data, space=_tiny_space(tmp_path),
                          training=training, cache_root=tmp_path / "cache", prepare_only=True, early_stopping=False))


def _as_in_a_terminal() -> None:
    """Ctrl-C raises KeyboardInterrupt, as at a terminal: a test run started in the background (`cmd &` in
    a script) would otherwise hand its ignored SIGINT down to the child, and Python keeps it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _search(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "search", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
                            preexec_fn=_as_in_a_terminal)


def _worker(name: str, storage: str, tmp_path: Path, env: dict | None = None) -> subprocess.Popen:
    """A worker as ``make worker`` starts it: the storage URL (with its password) in ``STORAGE``."""
    return _search("worker", "--study", name, "--threads", "1", "--cache", str(tmp_path / "cache"),
                   env={"STORAGE": storage, **(env or {})})


def _files_holding(text: str, *folders: Path) -> list[Path]:
    return [path for folder in folders for path in folder.rglob("*")
            if path.is_file() and text.encode() in path.read_bytes()]


def _finish(process: subprocess.Popen, timeout: float = 600) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def _first_running(study_name: str, storage: str, process: subprocess.Popen, timeout: float = 180):
    """Wait until ``process`` has a trial under way; return it."""
    deadline = time.monotonic() + timeout
    opened = optuna.storages.RDBStorage(storage)  # one engine for the whole wait: a new one per poll leaks connections
    try:
        while time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            if study_name in optuna.study.get_all_study_names(opened):  # `run` may not have created it yet
                study = optuna.load_study(study_name=study_name, storage=opened)
                running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
                if running:
                    return running[0]
            time.sleep(0.2)
    finally:
        opened.engine.dispose()
    raise AssertionError("no trial started")


def test_two_workers_on_postgres_stop_together_at_the_budget_and_its_password_is_never_shown(
        small_digits, tmp_path, postgres_url, isolated_mlflow_store):
    _prepared_study(tmp_path, small_digits, postgres_url, trials=5)
    workers = [_worker("w", postgres_url, tmp_path) for _ in range(2)]
    seen = []  # the process list sampled while they run, as any user of the machine can read it
    while any(w.poll() is None for w in workers):
        seen += command_lines_holding(SECRET)
        time.sleep(0.2)
    assert seen == [], "the database password stood on a command line"
    results = [_finish(w) for w in workers]
    for code, out, err in results:
        assert code == 0, err
        assert "Traceback" not in err and SECRET not in out + err
    assert _files_holding(SECRET, tmp_path, isolated_mlflow_store) == []  # nor in the caches, logs or MLflow store
    study = optuna.load_study(study_name="w", storage=postgres_url)
    trials = study.get_trials()
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    assert sorted(t.number for t in complete) == list(range(5))
    assert len({t._trial_id for t in complete}) == 5
    # Two workers that check the budget at the same instant both start a trial; the later one ends untrained.
    surplus = [t for t in trials if t.state != TrialState.COMPLETE]
    assert len(surplus) <= 1
    for trial in surplus:
        assert trial.state == TrialState.PRUNED and not trial.params and "budget of 5 trials was filled" in \
            trial.user_attrs["pruned_reason"]
    reported = [int(m.group(1)) for _, out, _ in results for m in re.finditer(r"^trial +(\d+)  .*: cv \d", out, re.M)]
    assert sorted(reported) == list(range(5))  # every trial was run (and reported) by exactly one worker


def test_a_trial_started_once_earlier_trials_fill_the_budget_is_surplus_unless_a_retry():
    study = optuna.create_study(directions=["maximize", "minimize"])
    for _ in range(4):
        study.add_trial(optuna.trial.create_trial(state=TrialState.COMPLETE, values=[0.5, 10]))
    budget = TrialBudget(5)
    fifth, sixth = study.ask(), study.ask()  # two workers saw room for one more at the same instant
    assert not budget.surplus(study, fifth.number) and budget.surplus(study, sixth.number)
    retry = study.ask()
    study._storage.set_trial_system_attr(retry._trial_id, "failed_trial", 0)
    assert not budget.surplus(study, retry.number)  # a re-queued retry always runs


def test_a_worker_killed_mid_trial_is_failed_retried_and_the_budget_reached(small_digits, tmp_path, postgres_url):
    long_enough_to_be_killed_inside = TrainingConfig(epochs=40, folds=2)  # outlasts the 1.5 s before the kill
    _prepared_study(tmp_path, small_digits, postgres_url, trials=3, name="k", training=long_enough_to_be_killed_inside)
    doomed = _worker("k", postgres_url, tmp_path, env=QUICK_HEARTBEAT)
    victim = _first_running("k", postgres_url, doomed)
    time.sleep(1.5)  # well inside the trial: its heartbeat has been recorded
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.communicate()
    study = optuna.load_study(study_name="k", storage=postgres_url)
    assert study.trials[victim.number].state == TrialState.RUNNING  # nobody told the study
    time.sleep(4)  # past the 3 s grace period
    code, out, err = _finish(_worker("k", postgres_url, tmp_path, env=QUICK_HEARTBEAT))
    assert code == 0 and "Traceback" not in err, err
    trials = optuna.load_study(study_name="k", storage=postgres_url).get_trials()
    assert trials[victim.number].state == TrialState.FAIL
    retries = [t for t in trials if t.system_attrs.get("failed_trial") == victim.number]
    assert len(retries) == 1 and retries[0].state == TrialState.COMPLETE
    assert retries[0].params == trials[victim.number].params  # the same configuration, run again
    assert f"(retry of trial {victim.number})" in out
    assert sum(t.state == TrialState.COMPLETE for t in trials) == 3  # the lost trial did not eat the budget
    assert TrialBudget(3).reached(optuna.load_study(study_name="k", storage=postgres_url))


def test_ctrl_c_during_a_trial_stops_cleanly_and_a_rerun_resumes_it(small_digits, tmp_path):
    storage = f"sqlite:///{tmp_path}/optuna.db"
    # every trial completes; only the retry is queued
    command = ("run", "--study", "c", "--storage", storage, "--trials", "2", "--data", str(small_digits),
               "--space", str(_tiny_space(tmp_path)), "--epochs", "10", "--folds", "2",
               "--cache", str(tmp_path / "cache"), "--no-early-stopping", "--no-start-points")
    # (10 epochs: a trial lasts well beyond the second below even on a busy machine)
    first = _search(*command)
    interrupted = _first_running("c", storage, first)
    time.sleep(1.0)
    first.send_signal(signal.SIGINT)
    code, out, err = _finish(first)
    assert code == 130 and "interrupted" in err and "Traceback" not in err, err
    study = optuna.load_study(study_name="c", storage=storage)
    assert study.trials[interrupted.number].state == TrialState.FAIL
    assert study.trials[interrupted.number].user_attrs["interrupted"] == "SIGINT"
    queued = study.get_trials(states=(TrialState.WAITING,))
    assert [t.system_attrs.get("failed_trial") for t in queued] == [interrupted.number]
    assert f"trial {interrupted.number:>3}  " in out and \
        f": INTERRUPTED by SIGINT; queued again as trial {queued[0].number}" in out, out

    code, out, err = _finish(_search(*command))
    assert code == 0 and "Traceback" not in err, err
    trials = optuna.load_study(study_name="c", storage=storage).get_trials()
    assert [t.state for t in trials] == [TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE]
    # (`interrupted` was read as the trial started, before all its parameters were suggested: compare the stored trial)
    assert trials[1].params == trials[interrupted.number].params and f"(retry of trial {interrupted.number})" in out


def test_a_worker_on_a_journal_file_joins_and_stops_at_the_budget(small_digits, tmp_path, capsys):
    journal = f"journal:///{tmp_path}/studies/j.log"
    _prepared_study(tmp_path, small_digits, journal, trials=2, name="j")
    assert type(open_storage(journal)).__name__ == "JournalStorage"
    study = join_study("j", journal, tmp_path / "cache")
    assert [t.state for t in study.get_trials()] == [TrialState.COMPLETE] * 2
    assert "worker" in capsys.readouterr().out
    assert len(join_study("j", journal, tmp_path / "cache").get_trials()) == 2  # at budget: runs nothing


def test_a_worker_needs_an_existing_study_and_its_data(small_digits, tmp_path):
    storage = f"sqlite:///{tmp_path}/optuna.db"
    with pytest.raises(StudyError, match="no study 'ghost'.*create it first"):
        join_study("ghost", storage, tmp_path / "cache")
    _prepared_study(tmp_path, small_digits, storage, trials=2)
    (small_digits / "0" / sorted(os.listdir(small_digits / "0"))[0]).unlink()  # the data changed under the study
    with pytest.raises(DataError, match="differ from the ones study 'w' was made with"):
        join_study("w", storage, tmp_path / "cache")


def test_cli_worker_and_front_refuse_bad_names_and_missing_studies_in_one_line(tmp_path):
    storage = f"sqlite:///{tmp_path}/o.db"
    for args in (("worker", "--study", "../escape"), ("front", "--study", "a/b")):
        code, _, err = _finish(_search(*args, "--storage", storage))
        assert code == 2 and "not allowed" in err and "Traceback" not in err
    code, _, err = _finish(_search("worker", "--study", "nope", "--storage", storage))
    assert code == 2 and "no study 'nope'" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_storage_settings_errors_are_clear_and_hide_passwords(monkeypatch):
    with pytest.raises(StorageError) as error:
        open_storage("postgresql+psycopg2://user:s3cret@127.0.0.1:1/db")
    assert "s3cret" not in str(error.value) and "***" in str(error.value)
    monkeypatch.setenv("SEARCH_HEARTBEAT_SECONDS", "10")
    monkeypatch.setenv("SEARCH_GRACE_SECONDS", "5")
    with pytest.raises(SettingError, match="at least twice"):
        open_storage("sqlite:///:memory:")
    monkeypatch.setenv("SEARCH_GRACE_SECONDS", "soon")
    with pytest.raises(SettingError, match="SEARCH_GRACE_SECONDS='soon'"):
        open_storage("sqlite:///:memory:")
