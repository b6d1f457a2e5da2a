"""The front table: MACs, and a mark on networks no better than guessing one class."""

import optuna
from optuna.trial import create_trial

from search.study import front_order, front_rows, front_trials
from search.views.tables import CHANCE_MARK, format_front, front_of, macs_text, trial_rows


def _trial(accuracy: float, params: int, macs: int):
    config = {"image_size": 8, "generator": 1, "architecture": {"family": "plain", "filters": [1], "neurons": []},
              "training": {"learning_rate": 0.01}}
    return create_trial(values=[accuracy, params], user_attrs={"config": config, "macs": macs, "cv_accuracy_std": 0.0})


def test_a_front_point_at_chance_is_marked_as_not_a_model():
    study = optuna.create_study(directions=["maximize", "minimize"])
    study.set_user_attr("class_names", [str(i) for i in range(10)])
    study.add_trials([_trial(0.100, 88, 1_936), _trial(0.834, 128, 1_088), _trial(0.966, 386, 3_776_000)])
    rows = front_rows(study)
    assert [r["at_chance"] for r in rows] == [True, False, False]
    lines = format_front(rows).splitlines()
    assert lines[2].endswith(CHANCE_MARK) and CHANCE_MARK not in lines[3] and CHANCE_MARK not in lines[4]
    assert "1.9k" in lines[2] and "3.8M" in lines[4] and lines[0].split()[-1] == "MACs"
    assert all(line == line.rstrip() for line in lines)


def test_macs_read_at_a_glance():
    assert [macs_text(m) for m in (None, 812, 35_400, 1_200_000, 2_500_000_000)] == ["?", "812", "35.4k", "1.2M",
                                                                                     "2.5G"]


def test_the_views_list_the_front_in_the_exports_order():
    """The report and the plots take the front from the rows (front_of), the export from the study
    (front_trials): both smallest model first, whatever order the trials ran in."""
    study = optuna.create_study(directions=["maximize", "minimize"])
    study.add_trials([_trial(0.966, 386, 3_776), _trial(0.5, 900, 9_000), _trial(0.834, 128, 1_088)])
    assert [r.params for r in front_of(trial_rows(study))] == [t.values[1] for t in front_trials(study)] == [128, 386]
    assert front_order(0.9, 100) < front_order(0.8, 100) < front_order(0.99, 200)
