"""``run --jobs``: several trial processes on one machine share one study and its budget."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from objectives.config import TrainingConfig
from search.backend.local_workers import threads_per_job
from search.runner.run import RunSettings, run_study
from tests.conftest import digits_subset, tiny_space
from tests.search.servers import command_lines_holding

ROOT = Path(__file__).parents[3]


def test_two_processes_stop_together_at_the_budget_and_every_trial_is_reported_once(digits_root, tmp_path, capsys):
    data = digits_subset(digits_root, tmp_path / "digits", per_class=12, classes=3)
    storage = f"sqlite:///{tmp_path}/optuna.db"
    study = run_study(RunSettings(study="jobs", storage=storage, trials=6, data_dir=data, space=tiny_space(tmp_path),
                                  training=TrainingConfig(epochs=1, folds=2), cache_root=tmp_path / "cache",
                                  mlflow=False, jobs=2))
    trials = study.get_trials(deepcopy=False)
    assert len(trials) == 6 and all(t.state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
                                    for t in trials)
    out = capsys.readouterr().out
    for trial in trials:  # the parent prints the worker's trials too, each once
        assert out.count(f"trial {trial.number:>3}  ") == 1, out
    assert "2 processes ran trials" in out
    log = (tmp_path / "cache" / "logs" / "jobs" / "worker-2.log").read_text()
    assert "joins study 'jobs'" in log  # the worker ran, and wrote its output to its log, not the terminal
    assert threads_per_job(2) >= 1


def test_ctrl_c_stops_every_local_process_and_requeues_their_trials_and_no_command_line_shows_the_storage(
        digits_root, tmp_path):
    data = digits_subset(digits_root, tmp_path / "digits", per_class=30, classes=3)
    storage = f"sqlite:///{tmp_path}/optuna.db"
    command = [sys.executable, "-m", "search", "run", "--study", "stop", "--trials", "20",
               "--data", str(data), "--space", str(tiny_space(tmp_path, image_sizes=[24])), "--epochs", "30",
               "--folds", "2", "--cache", str(tmp_path / "cache"), "--no-mlflow", "--jobs", "2", "--no-start-points"]
    run = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env={**os.environ, "STORAGE": storage},  # as make passes it
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    study = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until both processes are inside a trial
        time.sleep(0.5)
        try:
            study = optuna.load_study(study_name="stop", storage=storage)
        except KeyError:
            continue
        if len(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))) == 2:
            break
    assert command_lines_holding(storage) == [], "the storage URL is on a worker's command line"
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert "interrupted" in err
    trials = study.get_trials(deepcopy=False)
    assert not [t for t in trials if t.state == TrialState.RUNNING]  # nothing left looking alive
    retries = [t for t in trials if t.state == TrialState.WAITING and "failed_trial" in t.system_attrs]
    assert len(retries) >= 2  # both interrupted trials are queued again for the next run
    for retry in retries:  # the parent reports the worker's interrupted trial too, with its signal and its retry
        assert f": INTERRUPTED by SIGINT; queued again as trial {retry.number}" in out, out
    workers = subprocess.run(["pgrep", "-f", "search worker --study stop"], capture_output=True, text=True)
    assert workers.stdout.strip() == "", "a worker process outlived the run"


def test_the_default_number_of_processes_comes_from_the_cores_or_search_jobs(monkeypatch):
    from objectives.errors import SettingError
    from search.backend.local_workers import cores, default_jobs

    monkeypatch.delenv("SEARCH_JOBS")
    assert default_jobs() == max(1, min(4, cores()))
    monkeypatch.setenv("SEARCH_JOBS", "3")
    assert default_jobs() == 3
    monkeypatch.setenv("SEARCH_JOBS", "two")
    with pytest.raises(SettingError, match="SEARCH_JOBS: a whole number >= 1 must hold, but got 'two'"):
        default_jobs()
