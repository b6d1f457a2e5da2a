"""A RUNNING trial whose process is known to be gone is failed and re-queued at start-up, not 120 s later.

The heartbeat (``search.study.storage``) finds dead workers on any machine, but only after its grace period:
a run killed and started again at once on the same machine went on past the lost trial, ended its
budget one trial short and exited 0. Every trial records the process that runs it (host, boot, pid,
start time); at start-up a RUNNING trial of this machine and boot whose process is gone is failed and
queued again at once. A live process (another local worker of ``--jobs`` or ``make worker``) keeps its
trial. Trials of other machines are left to the heartbeat, and the message says when they come back.
"""

from __future__ import annotations

import optuna
from optuna.trial import FrozenTrial, TrialState

from objectives.machine.processes import boot_id, host_name, is_alive, this_process
from search.study import (INTERRUPTED_BY_DEATH, REQUEUE, SystemAttr, fail_running, heartbeat_timing, journal_path,
                          set_system_attr)


def record_owner(trial: optuna.Trial) -> None:
    """Store which process runs ``trial`` (called as the trial starts)."""
    set_system_attr(trial, SystemAttr.WORKER, this_process())


def _ours_and_dead(trial: FrozenTrial) -> bool:
    owner = trial.system_attrs.get(SystemAttr.WORKER)
    if not isinstance(owner, dict) or owner.get("host") != host_name() or owner.get("boot") != boot_id():
        return False
    return not is_alive(int(owner["pid"]), owner.get("started"))


def _fail_and_requeue(study: optuna.Study, trial: FrozenTrial) -> bool:
    failed = fail_running(study, trial, INTERRUPTED_BY_DEATH)
    if failed is not None:
        REQUEUE(study, failed)
    return failed is not None


def reclaim_dead_trials(study: optuna.Study) -> list[str]:
    """Fail and re-queue RUNNING trials of dead local processes (at start-up, and after stopping local workers
    that had to be killed); one line per trial."""
    lines = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if _ours_and_dead(trial) and _fail_and_requeue(study, trial):
            lines.append(f"trial {trial.number} was left RUNNING by process "
                         f"{trial.system_attrs[SystemAttr.WORKER]['pid']}, "
                         "which is gone: it is recorded as interrupted and queued again now")
    return lines


def running_elsewhere(study: optuna.Study, storage_url: str) -> list[str]:
    """One line per RUNNING trial this machine cannot reclaim: what will become of it."""
    lines = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        owner = trial.system_attrs.get(SystemAttr.WORKER) or {}
        if not owner:  # another worker is between creating the trial and recording itself (or died there)
            lines.append(f"trial {trial.number} is RUNNING, its process not recorded yet (another worker is "
                         f"starting it); {_later(storage_url)}")
        elif owner.get("host") != host_name() or owner.get("boot") != boot_id():
            lines.append(f"trial {trial.number} is RUNNING in process {owner.get('pid')} on {owner.get('host')}; "
                         f"{_later(storage_url)}")
    return lines


def _later(storage_url: str) -> str:
    if journal_path(storage_url) is not None:
        return ("a journal storage has no heartbeat: if that process is dead, the trial stays RUNNING and counts "
                "against the budget")
    _, grace = heartbeat_timing()
    return f"if that process is dead, its trial is failed and retried once its heartbeat is {grace} s old"
