"""The command line: the storage from ``STORAGE`` when ``--storage`` is not given (so no password stands in the
process list), and ``python -m search dashboard`` as a service manager runs it: SIGTERM ends the server, nothing
is left serving the port, a port in use is one line."""

import socket

import optuna

from search.cli import main

from tests.search.servers import free_port, start_dashboard, stop_and_prove_gone


def test_sigterm_to_the_dashboard_command_leaves_no_server_behind(tmp_path):
    storage = f"sqlite:///{tmp_path}/optuna.db"
    optuna.create_study(study_name="shown", storage=storage)
    port = free_port()
    server = start_dashboard(storage, port)
    stop_and_prove_gone(server, port)  # (before the fix, optuna-dashboard outlived its SIGTERMed parent)


def test_the_storage_comes_from_the_environment_when_no_option_names_it(tmp_path, monkeypatch, capsys):
    storage = f"sqlite:///{tmp_path}/from-env.db"
    optuna.create_study(study_name="here", storage=storage)
    monkeypatch.setenv("STORAGE", storage)
    assert main(["front", "--study", "absent"]) == 2
    assert f"no study 'absent' in {storage}; studies there: here" in capsys.readouterr().err
    assert main(["front", "--study", "absent", "--storage", f"sqlite:///{tmp_path}/other.db"]) == 2  # the option wins
    assert "other.db; studies there: none" in capsys.readouterr().err


def test_a_dashboard_port_in_use_is_one_line_naming_it(tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["dashboard", "--storage", f"sqlite:///{tmp_path}/o.db", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err == (f"error: --port (PORT) {port} on 127.0.0.1: a port this process can listen on must be given, but "
                   "Address already in use; pick another, e.g. make dashboard PORT=8081\n")
