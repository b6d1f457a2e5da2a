"""Whether a real process is still the one that recorded its pid: alive, killed (a zombie), collected, reused."""

import os
import signal
import subprocess
import sys
import time

from objectives.machine.processes import is_alive, start_ticks, this_process


def test_a_killed_process_is_dead_before_and_after_its_parent_collects_it():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    started = start_ticks(child.pid)
    assert is_alive(child.pid, started)
    child.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while is_alive(child.pid, started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not is_alive(child.pid, started)  # a zombie until waited for: already dead
    child.wait()
    assert not is_alive(child.pid)


def test_a_reused_pid_is_not_the_recorded_process():
    me = this_process()
    assert me["pid"] == os.getpid() and is_alive(me["pid"], me["started"])
    assert not is_alive(me["pid"], me["started"] + 1)  # same pid, another start time: another process
