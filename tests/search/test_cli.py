"""`python -m search dashboard` as a service manager runs it: SIGTERM ends the server it started, nothing
is left serving the port."""

import optuna

from tests.search.servers import free_port, start_dashboard, stop_and_prove_gone


def test_sigterm_to_the_dashboard_command_leaves_no_server_behind(tmp_path):
    storage = f"sqlite:///{tmp_path}/optuna.db"
    optuna.create_study(study_name="shown", storage=storage)
    port = free_port()
    server = start_dashboard(storage, port)
    stop_and_prove_gone(server, port)  # (before the fix, optuna-dashboard outlived its SIGTERMed parent)
