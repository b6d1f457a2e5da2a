"""SIGTERM (``kill``, ``docker stop``, ``systemctl stop``) ends a command the way Ctrl-C does.

Python's default for SIGTERM is to die at once: the trial under way stayed RUNNING (counted against the
budget until the heartbeat's grace period ran out) and the MLflow parent run stayed RUNNING forever.
Raised as a ``KeyboardInterrupt`` subclass, it runs the same cleanup as Ctrl-C (the trial is failed and
queued again, MLflow's parent run is closed as KILLED) and the command exits 143 (128 + SIGTERM).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

TERMINATED_EXIT = 128 + signal.SIGTERM
INTERRUPTED_EXIT = 128 + signal.SIGINT


class Terminated(KeyboardInterrupt):
    """A SIGTERM, raised where the main thread is, so ``except KeyboardInterrupt`` cleanup runs for it."""


def _raise_terminated(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the cleanup short
    raise Terminated()


def terminate_like_ctrl_c() -> None:
    """Install the SIGTERM handler (main thread only, as Python requires)."""
    signal.signal(signal.SIGTERM, _raise_terminated)


def exit_code(interrupt: KeyboardInterrupt) -> int:
    return TERMINATED_EXIT if isinstance(interrupt, Terminated) else INTERRUPTED_EXIT


def interrupt_message(interrupt: KeyboardInterrupt) -> str:
    what = "terminated (SIGTERM)" if isinstance(interrupt, Terminated) else "interrupted"
    return f"{what}: finished work is saved (a trial under way is queued again); run the same command again to resume"


class TrialGate:
    """Ctrl-C and SIGTERM take effect inside a trial's objective, never while Optuna creates or closes a trial.

    Optuna's ``optimize`` creates the trial (``study.ask``: the trial is RUNNING in the storage, the sampler
    then draws) before its try block and records the result after it: an interrupt landing there left a
    RUNNING trial nobody would fail or queue again (seen with two local processes stopped together). While
    the gate is installed, a signal outside the objective is held and raised at the start of the next
    objective call (the trial is then failed and queued again like any interrupted one) or, when no trial
    follows, by ``raise_pending`` once ``optimize`` returns.

    Inside the objective the interrupt is raised wherever Python runs, and that may be Python called from a
    library's C code: TensorFlow converting a tensor turned it into its own ``TypeError`` ("Failed to convert
    elements of (None,) to Tensor"), and the run ended with that traceback and exit 1 instead of the
    interrupt's cleanup. The gate remembers the interrupt it raised and ends the objective with it, whatever
    the library made of it (another error, or nothing).
    """

    def __init__(self) -> None:
        self.inside = False
        self.pending: KeyboardInterrupt | None = None  # arrived outside the objective, raised at the next one
        self.delivered: KeyboardInterrupt | None = None  # raised inside the current objective
        self._previous: dict[int, object] = {}

    def __enter__(self) -> TrialGate:
        if threading.current_thread() is threading.main_thread():  # Python sets handlers in the main thread only
            for number in (signal.SIGINT, signal.SIGTERM):
                current = signal.getsignal(number)
                if current is not signal.SIG_IGN:  # a run started with Ctrl-C ignored keeps it ignored
                    self._previous[number] = current
                    signal.signal(number, self._on_signal)
        return self

    def __exit__(self, *exc_info) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _on_signal(self, number: int, frame: object) -> None:
        interrupt = Terminated() if number == signal.SIGTERM else KeyboardInterrupt()
        if number == signal.SIGTERM:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the cleanup short
        if self.inside:
            self.delivered = interrupt
            raise interrupt
        self.pending = self.pending or interrupt

    @contextmanager
    def objective(self) -> Iterator[None]:
        """Around one objective call: a held interrupt is raised here, where Optuna fails the trial."""
        self.raise_pending()
        self.inside, self.delivered = True, None
        try:
            yield
        except BaseException as error:
            if self.delivered is None or error is self.delivered:
                raise
            raise self.delivered from error  # a library's error made of the interrupt
        finally:
            self.inside = False
        if self.delivered is not None:  # a library swallowed it
            raise self.delivered

    def raise_pending(self) -> None:
        if self.pending is not None:
            interrupt, self.pending = self.pending, None
            raise interrupt
