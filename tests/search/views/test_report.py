import re

from search.study import chance
from search.views.dashboard import trial_note
from search.views.dashboard_server import default_artifact_dir
from search.views.report import write_report
from search.views.tables import trial_rows


def test_report_has_the_front_the_recipes_tables_and_figures(tiny_study, tmp_path):
    study, _, _ = tiny_study
    path = write_report(study, tmp_path / "report")
    page = path.read_text()
    rows = trial_rows(study)
    front = [r for r in rows if r.on_front]
    assert front
    for r in front:
        assert f"#{r.number}" in page
    assert "CV accuracy by image size × generator" in page and "<th>G1</th>" in page and "<td class=l>16px</td>" in page
    assert len(re.findall(r'src="data:image/png;base64,', page)) >= 3  # front, a heat map, importances
    assert (tmp_path / "report" / "pareto_front.png").stat().st_size > 5000
    best = max(rows, key=lambda r: r.accuracy)
    assert f"{best.accuracy:.3f} ± {best.accuracy_std:.3f}" in page


def test_trial_notes_and_learning_curves_are_in_the_storage(tiny_study):
    study, storage, _ = tiny_study
    from optuna.artifacts import get_all_artifact_meta
    from optuna_dashboard import get_note

    trial = study.get_trials()[0]
    note = get_note(__import__("optuna").trial.Trial(study, trial._trial_id))
    assert note == trial_note(trial, level=chance(study)) and "CV accuracy" in note and "| family |" in note
    metas = get_all_artifact_meta(trial, storage=study._storage)
    failed = [t for t in study.get_trials() if t.state.name == "FAIL"]
    for t in failed:
        assert "FAIL" in get_note(__import__("optuna").trial.Trial(study, t._trial_id))
    assert [m.filename for m in metas] == [f"learning_curves_trial_{trial.number}.png"]
    assert (default_artifact_dir(storage) / metas[0].artifact_id).stat().st_size > 3000
