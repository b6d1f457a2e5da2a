"""The front table: MACs, and a mark on networks no better than guessing one class."""

import optuna
from optuna.trial import create_trial

from search.study import front_rows
from search.views.tables import CHANCE_MARK, format_front, macs_text


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
