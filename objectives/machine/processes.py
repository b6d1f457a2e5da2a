"""Is a process still the one that wrote something? A pid alone is not enough: pids are reused.

A process is identified by (pid, start time in clock ticks since boot, from ``/proc/<pid>/stat``), and
by the machine's boot id, since start times restart with every boot.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path


def host_name() -> str:
    return socket.gethostname()


def boot_id() -> str:
    """Changes at every boot (Linux); empty where unknown."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def start_ticks(pid: int) -> int | None:
    """When ``pid`` started (clock ticks after boot), or None if there is no such process (or only its
    zombie, a dead process its parent has not collected yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the name in parentheses may hold spaces
    return None if fields[0] in ("Z", "X") else int(fields[19])  # fields 3 (state) and 22 (start time)


def this_process() -> dict[str, object]:
    """What identifies the current process, as stored with its work."""
    pid = os.getpid()
    return {"host": host_name(), "boot": boot_id(), "pid": pid, "started": start_ticks(pid)}


def is_alive(pid: int, started: int | None = None) -> bool:
    """True if ``pid`` runs on this machine (and, given ``started``, is the same process, not a reuse)."""
    now = start_ticks(pid)
    if now is None:
        try:
            os.kill(pid, 0)  # no /proc (not Linux): ask the kernel directly
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return not Path("/proc").is_dir()
    return started is None or now == started
