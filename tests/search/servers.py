"""Servers the tests start for real, and the proof that each is gone afterwards (a port still served by a
leftover process after the suite is the failure this guards against)."""

from __future__ import annotations

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
    """``python -m search dashboard`` as ``make dashboard`` starts it, once it answers on ``port``."""
    server = subprocess.Popen([sys.executable, "-m", "search", "dashboard", "--storage", storage, "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert server.poll() is None, server.stdout.read().decode()[-2000:]
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/studies", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise AssertionError(f"dashboard did not start: {server.stdout.read().decode()[-2000:]}")


def processes_mentioning(port: int) -> list[int]:
    """Pids whose command line holds ``--port <port>`` (the server, or any child it left behind)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                arguments = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(a == b"--port" and b == str(port).encode() for a, b in zip(arguments, arguments[1:])):
                found.append(int(entry.name))
    return found


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
