"""Early stopping on constructed cases whose outcome is known, and budgets that stop before training."""

import optuna
import pytest
from optuna.trial import TrialState

from objectives.budgets.device import DeviceBudgets, Int8Measurement
from objectives.training.cross_validation import CrossValidationResult, FoldResult
from search.scheduler.early_stopping import (
    CERTAIN,
    DEFAULT_MARGIN,
    FoldPruner,
    dominating,
    optimistic_bound,
)


def test_the_certain_bound_scores_remaining_folds_as_perfect():
    assert optimistic_bound([0.5, 0.7], 5, CERTAIN) == pytest.approx((0.5 + 0.7 + 3) / 5)
    assert optimistic_bound([0.5] * 5, 5, CERTAIN) == pytest.approx(0.5)


def test_the_default_bound_lets_remaining_folds_beat_the_best_so_far_by_the_margin():
    assert optimistic_bound([0.5, 0.7], 5) == pytest.approx((0.5 + 0.7 + 3 * (0.7 + DEFAULT_MARGIN)) / 5)
    assert optimistic_bound([0.95], 5) == pytest.approx((0.95 + 4 * 1.0) / 5)  # never above a perfect fold
    assert optimistic_bound([0.5] * 5, 5) == pytest.approx(0.5)  # nothing left to guess


def test_domination_needs_both_objectives_no_worse_and_one_better():
    front = [(0.90, 1000), (0.95, 5000)]
    assert dominating(front, 0.80, 2000) == (0.90, 1000)
    assert dominating(front, 0.92, 2000) is None  # more accurate than anything as small
    assert dominating(front, 0.90, 1000) is None  # the same point is not dominated
    assert dominating(front, 0.96, 9000) is None


def _study_with_front(points):
    study = optuna.create_study(directions=["maximize", "minimize"])
    for accuracy, params in points:
        study.add_trial(optuna.trial.create_trial(values=[accuracy, params]))
    return study


def _result(accuracies, params):
    return CrossValidationResult(params, [FoldResult(i, a, 0.1) for i, a in enumerate(accuracies)], 0.0, "")


def test_a_trial_that_cannot_reach_the_front_is_stopped_with_its_bound():
    study = _study_with_front([(0.9, 1000)])
    trial = study.ask()
    with pytest.raises(optuna.TrialPruned, match="after fold 1 of 5, at most 0.840 mean accuracy with 2,000"):
        FoldPruner(study, trial, folds=5, margin=CERTAIN)(None, _result([0.2], 2000))  # (0.2 + 4) / 5 = 0.84 < 0.9
    with pytest.raises(optuna.TrialPruned, match="after fold 1 of 5, at most 0.280"):
        FoldPruner(study, study.ask(), folds=5)(None, _result([0.2], 2000))  # (0.2 + 4 * 0.3) / 5


def test_pruning_raises_only_when_out_of_reach():
    study = _study_with_front([(0.9, 1000)])
    trial = study.ask()
    pruner = FoldPruner(study, trial, folds=5, margin=CERTAIN)
    pruner(None, _result([0.6], 2000))  # (0.6 + 4) / 5 = 0.92 > 0.9: may still reach the front
    with pytest.raises(optuna.TrialPruned, match="after fold 2 of 5, at most 0.800"):
        pruner(None, _result([0.6, 0.4], 2000))  # (1.0 + 3) / 5 = 0.8 < 0.9
    assert trial.user_attrs["pruned_after_fold"] == 2 and trial.user_attrs["pruned_bound"] == pytest.approx(0.8)
    smaller = FoldPruner(study, study.ask(), folds=5)
    smaller(None, _result([0.1, 0.1, 0.1, 0.1], 500))  # fewer parameters than the front: never dominated
    last = FoldPruner(study, study.ask(), folds=2)
    last(None, _result([0.1, 0.1], 2000))  # all folds done: nothing left to save, the trial completes


def test_size_and_latency_budgets_use_the_int8_measurement_when_there_is_one():
    budgets = DeviceBudgets(max_int8_kb=5, max_latency_ms=0.2)
    assert budgets.needs_int8_model and not DeviceBudgets(max_params=10).needs_int8_model
    assert budgets.constraints(4_000) == {"int8_kb": pytest.approx(4_000 / 1024 - 5)}  # no latency without a model
    measured = Int8Measurement(kb=6.5, latency_ms=0.1)
    assert budgets.constraints(4_000, measured) == {"int8_kb": pytest.approx(1.5), "latency_ms": pytest.approx(-0.1)}
    assert budgets.violations(4_000, measured) == ["int8 model 6.5 KB > max_int8_kb 5"]
    assert budgets.violations(4_000, Int8Measurement(kb=4, latency_ms=0.3)) == ["int8 LiteRT latency 0.300 ms > "
                                                                                "max_latency_ms 0.2"]


def test_budgets_give_constraint_values_and_certain_violations():
    budgets = DeviceBudgets(max_params=10_000, max_int8_kb=5)
    assert budgets.constraints(8_000) == {"params": -2000.0, "int8_kb": pytest.approx(8_000 / 1024 - 5)}
    assert budgets.violations(4_000) == []
    assert budgets.violations(20_000)[0] == "20,000 parameters > max_params 10,000"
    assert "int8 model >= 19.5 KB > max_int8_kb 5" in budgets.violations(20_000)[1]
    assert DeviceBudgets().constraints(10**9) == {}


@pytest.fixture
def objective_parts(small_digits, tmp_path):
    from objectives.config import TrainingConfig
    from objectives.data.prepared import prepare
    from spaces.space import load_space
    from tests.conftest import tiny_space

    space = load_space(tiny_space(tmp_path))
    data = prepare(small_digits, tmp_path / "cache", list(space.image_sizes), 0.15, 0)
    return space, data, TrainingConfig(epochs=1, folds=3)


def test_a_real_trial_stops_after_its_first_fold_when_the_front_is_out_of_reach(objective_parts):
    from search.runner.objective import Objective

    space, data, training = objective_parts
    study = _study_with_front([(0.999, 10)])  # no network here has 10 parameters and 99.9% accuracy
    trial = study.ask()
    with pytest.raises(optuna.TrialPruned):
        Objective(space, data, training)(trial)
    study.tell(trial, state=TrialState.PRUNED)
    pruned = study.trials[-1]
    assert pruned.user_attrs["pruned_after_fold"] == 1 and len(pruned.user_attrs["fold_accuracies"]) == 1
    without = study.ask()
    values = Objective(space, data, training, early_stopping=False)(without)  # switched off: all folds run
    assert len(without.user_attrs["fold_accuracies"]) == 3 and 0 <= values[0] <= 1


def test_an_over_budget_configuration_is_stopped_before_any_training(objective_parts):
    import dataclasses

    from search.runner.objective import Objective

    space, data, training = objective_parts
    space = dataclasses.replace(space, budgets=DeviceBudgets(max_params=20))
    study = optuna.create_study(directions=["maximize", "minimize"])
    trial = study.ask()
    with pytest.raises(optuna.TrialPruned, match="over budget before training: .* parameters > max_params 20"):
        Objective(space, data, training)(trial)
    study.tell(trial, state=TrialState.PRUNED)
    frozen = study.trials[-1]
    assert frozen.system_attrs["constraints"][0] > 0  # what optuna-dashboard 0.21 reads as infeasible
    assert frozen.system_attrs["constraints:params"] == frozen.user_attrs["params"] - 20
    assert "fold_accuracies" not in frozen.user_attrs and "fit_seconds" not in frozen.user_attrs  # no fold trained


def test_a_latency_budget_is_measured_on_the_untrained_int8_model_and_stops_before_training(objective_parts):
    import dataclasses

    from search.runner.objective import Objective

    space, data, training = objective_parts
    tight = dataclasses.replace(space, budgets=DeviceBudgets(max_latency_ms=1e-6, max_int8_kb=10_000))
    study = optuna.create_study(directions=["maximize", "minimize"])
    trial = study.ask()
    with pytest.raises(optuna.TrialPruned, match=r"over budget before training: int8 LiteRT latency .* ms > "
                                                 r"max_latency_ms 1e-06"):
        Objective(tight, data, training)(trial)
    study.tell(trial, state=TrialState.PRUNED)
    frozen = study.trials[-1]
    measured = frozen.user_attrs["int8_untrained"]
    assert measured["latency_ms"] > 0 and 1 < measured["kb"] < 10_000
    assert frozen.system_attrs["constraints:latency_ms"] > 0 and frozen.system_attrs["constraints:int8_kb"] < 0
    assert "fold_accuracies" not in frozen.user_attrs and "fit_seconds" not in frozen.user_attrs  # no fold trained


def test_a_model_within_its_budgets_trains_with_its_measurements_recorded(objective_parts):
    import dataclasses

    from search.runner.objective import Objective

    space, data, training = objective_parts
    roomy = dataclasses.replace(space, budgets=DeviceBudgets(max_latency_ms=1_000, max_int8_kb=10_000))
    study = optuna.create_study(directions=["maximize", "minimize"])
    trial = study.ask()
    accuracy, params = Objective(roomy, data, training, early_stopping=False)(trial)
    study.tell(trial, [accuracy, params])
    frozen = study.trials[-1]
    assert frozen.state == TrialState.COMPLETE and len(frozen.user_attrs["fold_accuracies"]) == 3
    assert frozen.user_attrs["int8_untrained"]["kb"] > params / 1024  # at least a byte per parameter
    named = {k: v for k, v in frozen.constraints.items() if not k.isdigit()}  # digits: the dashboard's list form
    assert named == {"int8_kb": pytest.approx(frozen.user_attrs["int8_untrained"]["kb"] - 10_000, abs=0.01),
                     "latency_ms": pytest.approx(frozen.user_attrs["int8_untrained"]["latency_ms"] - 1_000, abs=1e-3)}
    assert frozen.system_attrs["constraints"] == list(named.values())
