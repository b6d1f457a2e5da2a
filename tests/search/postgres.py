"""A real PostgreSQL server for tests: initdb in a temporary folder, listening on 127.0.0.1 and a free port.

Debian's ``postgresql`` package provides the binaries (``.ci/run`` installs it). As root the server runs
as the ``postgres`` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SECRET = "s3cret-Pw"  # the session server's password


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    def __init__(self, binaries: Path, folder: Path, password: str | None = None):
        """``password``: the server checks it (scram-sha-256) instead of trusting every local user."""
        self.binaries, self.folder, self.port, self.password = binaries, folder, _free_port(), password
        self.data = folder / "data"

    def start(self) -> None:
        run = lambda *cmd: subprocess.run(_as_server_user(list(cmd)), check=True, capture_output=True, text=True)
        auth = ["--auth=trust"]
        if self.password is not None:
            secret = self.folder / "pwfile"
            secret.write_text(self.password)
            if os.geteuid() == 0:
                account = pwd.getpwnam("postgres")
                os.chown(secret, account.pw_uid, account.pw_gid)
            auth = ["--auth=scram-sha-256", f"--pwfile={secret}"]
        run(str(self.binaries / "initdb"), "-D", str(self.data), "-U", "postgres", *auth, "-E", "UTF8")
        run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "start",
            "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c max_connections=100")

    def stop(self) -> None:
        subprocess.run(_as_server_user([str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                                        "stop"]),
                       capture_output=True)

    def new_database(self, name: str) -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                                      password=self.password)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        login = "postgres" if self.password is None else f"postgres:{self.password}"
        return f"postgresql+psycopg2://{login}@127.0.0.1:{self.port}/{name}"


@contextmanager
def started_server(password: str | None = None) -> Iterator[PostgresServer]:
    """A PostgreSQL server in a fresh folder for as long as the block runs."""
    binaries = _binaries()
    if binaries is None:
        pytest.skip("PostgreSQL binaries not found (apt-get install -y postgresql; .ci/run installs it)")
    # not under pytest's 0700 folders: the postgres user must enter it
    folder = Path(tempfile.mkdtemp(prefix="pg-test-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)
    server = PostgresServer(binaries, folder, password)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's server checks a password, as a shared database does: every test URL carries it, and the
    tests that look for it in the process list, the output and the files written find something to look for."""
    with started_server(password=SECRET) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server, request) -> str:
    """A fresh database on the session's server for one test."""
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name)[:50].lower()
    return postgres_server.new_database(name)
