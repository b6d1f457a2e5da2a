"""SIGTERM (``kill``, ``docker stop``, ``systemctl stop``) and SIGHUP (the terminal closed) end a command the
way Ctrl-C does.

Python's default for both is to die at once: the trial under way stayed RUNNING (counted against the budget
until the heartbeat's grace period ran out, or until the next run on this machine) and the MLflow parent run
stayed RUNNING forever. Raised as a ``KeyboardInterrupt`` subclass that names its signal, they run the same
cleanup as Ctrl-C (the trial is recorded as interrupted and queued again, MLflow's parent run is closed as
KILLED) and the command exits 128 + the signal's number (143, 129; 130 for Ctrl-C).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

INTERRUPTED_EXIT = 128 + signal.SIGINT
HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the main thread is, so ``except KeyboardInterrupt`` cleanup runs for it."""

    def __init__(self, number: int = signal.SIGTERM):
        super().__init__(signal.Signals(number).name)
        self.number = number


def _raise_terminated(number: int, frame: object) -> None:
    signal.signal(number, signal.SIG_IGN)  # a second one must not cut the cleanup short
    raise Terminated(number)


def terminate_like_ctrl_c() -> None:
    """Install the SIGTERM and SIGHUP handlers (main thread only, as Python requires); a command started with
    ``nohup`` keeps SIGHUP ignored."""
    for number in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(number) is not signal.SIG_IGN:
            signal.signal(number, _raise_terminated)


def signal_name(interrupt: KeyboardInterrupt) -> str:
    """'SIGINT' for Ctrl-C, else the signal a ``Terminated`` came from."""
    return signal.Signals(interrupt.number).name if isinstance(interrupt, Terminated) else "SIGINT"


def exit_code(interrupt: KeyboardInterrupt) -> int:
    return 128 + interrupt.number if isinstance(interrupt, Terminated) else INTERRUPTED_EXIT


def interrupt_message(interrupt: KeyboardInterrupt) -> str:
    what = f"terminated ({signal_name(interrupt)})" if isinstance(interrupt, Terminated) else "interrupted"
    return f"{what}: finished work is saved (a trial under way is queued again); run the same command again to resume"


class TrialGate:
    """Ctrl-C, SIGTERM and SIGHUP take effect inside a trial's objective, never while Optuna creates or closes a trial.

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
            for number in HANDLED:
                current = signal.getsignal(number)
                if current is not signal.SIG_IGN:  # a run started with Ctrl-C ignored keeps it ignored
                    self._previous[number] = current
                    signal.signal(number, self._on_signal)
        return self

    def __exit__(self, *exc_info) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _on_signal(self, number: int, frame: object) -> None:
        interrupt = KeyboardInterrupt() if number == signal.SIGINT else Terminated(number)
        if number != signal.SIGINT:
            signal.signal(number, signal.SIG_IGN)  # a second one must not cut the cleanup short
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
