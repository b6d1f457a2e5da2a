"""optuna-dashboard served from this process, beside the trial notes and artifacts the views write.

Its own command takes the storage URL as an argument, which would put a database password in the process list
for every local user to read; served from here, the URL never leaves this process."""

from __future__ import annotations

from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIServer, make_server

import optuna_dashboard
from optuna.artifacts import FileSystemArtifactStore

from objectives.errors import SettingError
from search.study import open_storage


def default_artifact_dir(storage_url: str) -> Path:
    """Beside a SQLite file (``studies/optuna.db`` -> ``studies/artifacts``), else ``studies/artifacts``."""
    if storage_url.startswith("sqlite:///"):
        return Path(storage_url.removeprefix("sqlite:///")).parent / "artifacts"
    return Path("studies") / "artifacts"


class _ThreadedServer(ThreadingMixIn, WSGIServer):
    """As optuna-dashboard's own command serves without gunicorn: a browser opens several requests at once."""

    daemon_threads = True


def dashboard_server(storage_url: str, host: str, port: int, artifacts: Path) -> WSGIServer:
    """A server for ``serve_forever``; a port that cannot be used is a setting error, before anything is served."""
    app = optuna_dashboard.wsgi(open_storage(storage_url), artifact_store=FileSystemArtifactStore(str(artifacts)))
    try:
        return make_server(host, port, app, server_class=_ThreadedServer)
    except OSError as error:  # taken, not this machine's address, or below 1024 without root
        raise SettingError(f"--port (PORT) {port} on {host}: a port this process can listen on must be given, but "
                           f"{error.strerror or error}; pick another, e.g. make dashboard PORT=8081") from None
