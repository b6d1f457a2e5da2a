"""A killed run's RUNNING trial is failed and re-queued at the next start on the same machine, at once;
a live local worker keeps its trial; another machine's trial waits for the heartbeat, and the run says so."""

import os
import signal
import time

import optuna
from optuna.trial import TrialState

from search.backend.liveness import reclaim_dead_trials, running_elsewhere
from search.study import SystemAttr
from tests.search.runner.test_workers import _finish, _first_running, _prepared_study, _search, _tiny_space, _worker


def _run_command(tmp_path, data, storage):
    return ("run", "--study", "d", "--storage", storage, "--trials", "2", "--data", str(data),
            "--space", str(_tiny_space(tmp_path)), "--epochs", "10", "--folds", "2", "--cache", str(tmp_path / "cache"),
            "--no-early-stopping", "--no-start-points", "--no-mlflow", "--jobs", "1")


def test_a_run_killed_mid_trial_and_started_again_at_once_reruns_the_lost_trial(small_digits, tmp_path):
    storage = f"sqlite:///{tmp_path}/optuna.db"
    doomed = _search(*_run_command(tmp_path, small_digits, storage))
    victim = _first_running("d", storage, doomed)
    time.sleep(1.0)
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.communicate()
    # the same command, at once: far inside the 120 s grace
    code, out, err = _finish(_search(*_run_command(tmp_path, small_digits, storage)))
    assert code == 0 and "Traceback" not in err, err
    assert (f"trial {victim.number} was left RUNNING by process {doomed.pid}, which is gone: "
            "it is recorded as interrupted and queued again now") in out
    trials = optuna.load_study(study_name="d", storage=storage).get_trials()
    assert trials[victim.number].state == TrialState.FAIL
    assert trials[victim.number].user_attrs["interrupted"] == "its process ending (killed or crashed)"
    assert [t.state for t in trials if t.number != victim.number] == [TrialState.COMPLETE] * 2  # the whole budget
    assert f"(retry of trial {victim.number})" in out


def test_a_live_local_worker_keeps_its_trial_and_another_machines_trial_waits_for_the_heartbeat(small_digits, tmp_path):
    storage = f"sqlite:///{tmp_path}/optuna.db"
    _prepared_study(tmp_path, small_digits, storage, trials=2, name="w")
    live = _worker("w", storage, tmp_path)
    try:
        running = _first_running("w", storage, live)
        study = optuna.load_study(study_name="w", storage=storage)
        deadline = time.monotonic() + 60
        while SystemAttr.WORKER not in study.trials[running.number].system_attrs and time.monotonic() < deadline:
            time.sleep(0.1)
        assert study.trials[running.number].system_attrs[SystemAttr.WORKER]["pid"] == live.pid
        elsewhere = study.ask()  # a trial another machine runs
        study._storage.set_trial_system_attr(elsewhere._trial_id, SystemAttr.WORKER,
                                             {"host": "other-machine", "boot": "x", "pid": 4242, "started": 1})
        starting = study.ask()  # a trial another worker has created but not yet recorded itself on
        lines = reclaim_dead_trials(study) + running_elsewhere(study, storage)
        later = "if that process is dead, its trial is failed and retried once its heartbeat is 120 s old"
        assert lines == [f"trial {elsewhere.number} is RUNNING in process 4242 on other-machine; {later}",
                         f"trial {starting.number} is RUNNING, its process not recorded yet (another worker is "
                         f"starting it); {later}"]
        assert study.trials[running.number].state == TrialState.RUNNING  # the live worker's trial is untouched
    finally:
        live.kill()
        live.communicate()
