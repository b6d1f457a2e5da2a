"""SIGTERM (``kill``, ``docker stop``, ``systemctl stop``) ends a command the way Ctrl-C does.

Python's default for SIGTERM is to die at once: the trial under way stayed RUNNING (counted against the
budget until the heartbeat's grace period ran out) and the MLflow parent run stayed RUNNING forever.
Raised as a ``KeyboardInterrupt`` subclass, it runs the same cleanup as Ctrl-C (the trial is failed and
queued again, MLflow's parent run is closed as KILLED) and the command exits 143 (128 + SIGTERM).
"""

from __future__ import annotations

import signal

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
