"""Servers the tests start for real, and the proof that each is gone afterwards (a port still served by a
leftover process after the suite is the failure this guards against)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dashboard(storage: str, port: int, timeout: float = 60) -> subprocess.Popen:
    """``python -m search dashboard`` as ``make dashboard`` starts it (the storage in ``STORAGE``), once it answers
    on ``port``; no process's command line holds the storage URL."""
    server = subprocess.Popen([sys.executable, "-m", "search", "dashboard", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT,
                              env={**os.environ, "STORAGE": storage})
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert server.poll() is None, server.stdout.read().decode()[-2000:]
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/studies", timeout=2)
            assert command_lines_holding(storage) == [], "the storage URL is on a command line"
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise AssertionError(f"dashboard did not start: {server.stdout.read().decode()[-2000:]}")


def command_lines() -> dict[int, list[bytes]]:
    """Every process's arguments, as ``ps`` shows them to every user of the machine."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
    return found


def command_lines_holding(text: str) -> list[int]:
    """Pids whose command line holds ``text`` anywhere (a storage URL, a password)."""
    return [pid for pid, arguments in command_lines().items() if any(text.encode() in a for a in arguments)]


def processes_mentioning(port: int) -> list[int]:
    """Pids whose command line holds ``--port <port>`` (the server, or any child it left behind)."""
    return [pid for pid, arguments in command_lines().items()
            if any(a == b"--port" and b == str(port).encode() for a, b in zip(arguments, arguments[1:]))]


def stop_and_prove_gone(server: subprocess.Popen, port: int, timeout: float = 15) -> int:
    """SIGTERM the server, as a service manager would; assert no process serves or mentions the port."""
    server.terminate()
    code = server.wait(timeout)
    deadline = time.time() + timeout
    while processes_mentioning(port) and time.time() < deadline:
        time.sleep(0.2)
    assert processes_mentioning(port) == [], "a process still runs with the test server's port"
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} is still served"
    return code
