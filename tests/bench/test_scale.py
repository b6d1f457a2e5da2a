"""The scale bench's clones: real trials copied through Optuna's API, with the study's record."""

from __future__ import annotations

import optuna

from bench.scale import cloned_study


def test_a_study_is_cloned_to_the_asked_size_with_its_record_and_a_front_of_more_than_one_point(tmp_path):
    source = optuna.create_study(study_name="s", storage=f"sqlite:///{tmp_path}/a.db",
                                 directions=["maximize", "minimize"])
    source.set_user_attr("data_dir", "/data")
    distribution = optuna.distributions.IntDistribution(1, 8)
    source.add_trials([optuna.trial.create_trial(values=[0.5 + i / 10, 100 * (i + 1)], params={"filters": i + 1},
                                                 distributions={"filters": distribution},
                                                 user_attrs={"config": {"i": i}})
                       for i in range(2)])
    cloned_study(source, f"sqlite:///{tmp_path}/b.db", 50)
    clone = optuna.load_study(study_name="s", storage=f"sqlite:///{tmp_path}/b.db")
    assert len(clone.trials) == 50 and clone.user_attrs == {"data_dir": "/data"}
    assert {t.user_attrs["config"]["i"] for t in clone.trials} == {0, 1} and len(clone.best_trials) > 1
