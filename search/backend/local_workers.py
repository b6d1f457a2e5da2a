"""Several trial processes on one machine, sharing one study and its budget.

One process cannot keep two cores busy on small networks: a step of a tiny convolution costs about the same
at batch 32 as at batch 128, and TensorFlow's second thread buys little, while two one-thread processes ran
1.6 times the trials per hour. So ``run --jobs N`` starts N - 1 workers beside itself (the same
``worker`` command several machines use), each with ``cores / N`` TensorFlow threads.

The workers run silently, with their output in a log file each; the process the user started prints one
line for every trial any of them finishes and the progress bar over the whole budget. A worker is in its
own session, so Ctrl-C at the terminal reaches the parent alone, which passes it on once; a worker whose
parent dies gets SIGTERM from the kernel instead of running on unseen.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import optuna
from optuna.trial import FrozenTrial

from objectives.errors import SettingError
from search.study import FINISHED

PROJECT = Path(__file__).resolve().parents[1]  # on the workers' import path, whatever the current folder
STOP_SECONDS = 60  # a worker interrupted in a trial saves and requeues it well within this
_PR_SET_PDEATHSIG = 1


def cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def default_jobs() -> int:
    """One trial process per core, at most 4: on 2 cores, 2 processes of 1 thread ran more trials a minute
    than 1 process of 2 (compare `time make study STUDY=j1 TRIALS=10 TIME= EXPORT=0 JOBS=1 THREADS=2` with
    `STUDY=j2 ... JOBS=2 THREADS=1`);
    ``SEARCH_JOBS`` sets another default (the test suite uses 1)."""
    given = os.environ.get("SEARCH_JOBS", "").strip()
    if given:
        if not given.isdigit() or int(given) < 1:
            raise SettingError(f"SEARCH_JOBS: a whole number >= 1 must hold, but got {given[:20]!r}; "
                               "unset it or fix it")
        return int(given)
    return max(1, min(4, cores()))


def threads_per_job(jobs: int) -> int:
    return max(1, cores() // jobs)


def _in_child() -> None:
    """Before exec: Ctrl-C that the parent passes on must interrupt (a run started with ``cmd &`` has SIGINT
    ignored, and Python would keep it so), and the kernel sends SIGTERM when the parent dies (Linux only)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class LocalWorkers:
    """``count`` worker processes of ``study`` in ``storage``; their logs go to ``log_dir``."""

    def __init__(self, study: str, storage: str, count: int, threads: int, cache_root: Path, log_dir: Path):
        log_dir.mkdir(parents=True, exist_ok=True)
        self.logs = [log_dir / f"worker-{i + 2}.log" for i in range(count)]
        self.processes: list[subprocess.Popen] = []
        # The storage reaches the workers through their environment (readable by this user alone), never their
        # command line, which every local user sees in the process list with any database password in it.
        env = {**os.environ, "STORAGE": storage,
               "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")]))}
        for number, log in enumerate(self.logs, start=2):
            command = [sys.executable, "-m", "search", "worker", "--study", study,
                       "--threads", str(threads), "--cache", str(cache_root), "--spawned", str(number)]
            with open(log, "ab") as out:
                self.processes.append(subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                                       stdin=subprocess.DEVNULL, start_new_session=True,
                                                       preexec_fn=_in_child))

    def interrupt(self) -> None:
        """Pass Ctrl-C (or SIGTERM) on: each worker requeues its running trial and exits."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)

    def wait(self) -> list[str]:
        """Wait for every worker; one line per worker that did not end cleanly, naming its log."""
        problems = []
        for number, (process, log) in enumerate(zip(self.processes, self.logs), start=2):
            code = process.wait()  # a worker stops by itself at the study's budget
            if code not in (0, 130):
                problems.append(f"worker {number} (pid {process.pid}) ended with exit code {code}: {_tail(log)} "
                                f"(whole log: {log})")
        return problems

    def stop(self) -> list[str]:
        """After an interruption: pass it on, give the workers time to requeue their trials, then kill; one
        line per worker that had to be killed (its trial is then reclaimed by ``search.backend.liveness``)."""
        self.interrupt()
        lines = []
        for number, (process, log) in enumerate(zip(self.processes, self.logs), start=2):
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                lines.append(f"worker {number} (pid {process.pid}) had not stopped {STOP_SECONDS} s after the "
                             f"interrupt: killed (its log: {log})")
        return lines


def _tail(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1].strip()[:200] if lines else "no output"


class TrialWatcher:
    """Report every trial of a study once it is finished, whichever process ran it, from a thread that
    polls the storage (Optuna calls its callbacks only in the process that ran the trial)."""

    def __init__(self, study: optuna.Study, report: Callable[[optuna.Study, FrozenTrial], None], seconds: float = 1.0):
        self.study, self.report, self.seconds = study, report, seconds
        self.seen = {t.number for t in study.get_trials(deepcopy=False, states=FINISHED)}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="trial-watcher", daemon=True)
        self._thread.start()

    def poll(self) -> None:
        for trial in self.study.get_trials(deepcopy=False, states=FINISHED):
            if trial.number not in self.seen:
                self.seen.add(trial.number)
                self.report(self.study, trial)

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                self.poll()
            except Exception:  # a storage hiccup must not end the watching; the next poll retries
                continue

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.poll()
