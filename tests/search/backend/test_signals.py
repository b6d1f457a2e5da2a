"""SIGTERM and SIGHUP to a real running study end it like Ctrl-C: message, exit 128 + the signal, the trial
recorded as interrupted and queued again, the MLflow run closed."""

import os
import signal
import time

import optuna
import pytest
from mlflow import MlflowClient
from optuna.trial import TrialState

from search.backend.signals import Terminated, TrialGate, exit_code, interrupt_message, signal_name
from search.tracking.settings import PARENT_TAG, experiment_name
from tests.search.runner.test_workers import _finish, _first_running, _search, _tiny_space


def test_sighup_requeues_the_trial_and_closes_the_mlflow_parent_run(small_digits, tmp_path):
    """The terminal closed: SIGHUP, which Python's default would end with the trial left RUNNING."""
    storage, tracking = f"sqlite:///{tmp_path}/optuna.db", f"sqlite:///{tmp_path}/mlflow.db"
    process = _search("run", "--study", "term", "--storage", storage, "--trials", "2", "--data", str(small_digits),
                      "--space", str(_tiny_space(tmp_path)), "--epochs", "10", "--folds", "2",
                      "--cache", str(tmp_path / "cache"), "--no-early-stopping", "--no-start-points", "--jobs", "1",
                      env={"MLFLOW_TRACKING_URI": tracking})
    interrupted = _first_running("term", storage, process)
    time.sleep(2.0)  # MLflow's parent run is opened on its own thread meanwhile
    process.send_signal(signal.SIGHUP)
    code, out, err = _finish(process, timeout=120)
    assert code == 129 and "Traceback" not in err, err
    assert ("terminated (SIGHUP): finished work is saved (a trial under way is queued again); "
            "run the same command again to resume") in err
    study = optuna.load_study(study_name="term", storage=storage)
    assert study.trials[interrupted.number].state == TrialState.FAIL
    assert study.trials[interrupted.number].user_attrs["interrupted"] == "SIGHUP"
    queued = study.get_trials(states=(TrialState.WAITING,))
    assert [t.system_attrs.get("failed_trial") for t in queued] == [interrupted.number]
    assert f": INTERRUPTED by SIGHUP; queued again as trial {queued[0].number}" in out, out
    client = MlflowClient(tracking)
    experiment = client.get_experiment_by_name(experiment_name("term"))
    parents = client.search_runs([experiment.experiment_id], f"tags.`{PARENT_TAG}` = 'true'")
    assert [run.info.status for run in parents] == ["KILLED"]


def _interrupted_library_call(turned_into: type[Exception] | None) -> None:
    """Ctrl-C arriving inside a library call that makes its own error of it (TensorFlow converting a tensor
    raised ``TypeError``) or, with ``turned_into=None``, swallows it."""
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)  # the handler runs at the next bytecode; the sleep is cut short by it
    except KeyboardInterrupt:
        if turned_into is not None:
            raise turned_into("Failed to convert elements of (None,) to Tensor") from None


@pytest.fixture
def ctrl_c_live():
    """Python's own Ctrl-C handler, as in a terminal: a suite started in the background (``make test &``)
    inherits SIGINT ignored, and the gate rightly leaves an ignored Ctrl-C ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("turned_into", [TypeError, None])
def test_ctrl_c_inside_the_objective_ends_it_as_an_interrupt_whatever_a_library_made_of_it(turned_into, ctrl_c_live):
    started = time.perf_counter()
    with TrialGate() as gate, pytest.raises(KeyboardInterrupt) as raised:
        with gate.objective():
            _interrupted_library_call(turned_into)
    assert time.perf_counter() - started < 4 and type(raised.value) is KeyboardInterrupt
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the gate put Python's handler back


def test_an_objective_s_own_error_without_an_interrupt_stays_its_own():
    with TrialGate() as gate, pytest.raises(TypeError):
        with gate.objective():
            raise TypeError("a real bug in the objective")


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_inside_the_objective_are_interrupts_that_name_their_signal(number):
    previous = signal.getsignal(number)
    try:
        with TrialGate() as gate, pytest.raises(Terminated) as raised:
            with gate.objective():
                os.kill(os.getpid(), number)
                time.sleep(5)  # cut short by the handler
        assert signal_name(raised.value) == signal.Signals(number).name and exit_code(raised.value) == 128 + number
        assert interrupt_message(raised.value).startswith(f"terminated ({signal.Signals(number).name}): ")
    finally:
        signal.signal(number, previous)
    assert signal_name(KeyboardInterrupt()) == "SIGINT" and exit_code(KeyboardInterrupt()) == 130
