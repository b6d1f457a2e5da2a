"""One trial, start to end: the trial's configuration (from ``spaces``), cross-validated (by ``objectives``),
its results stored on the trial. This is the whole trial-to-model path.

Everything a trial produced is stored on the trial itself, so the Optuna storage alone is enough to
rebuild any record of it (MLflow, reports, exports)."""

from __future__ import annotations

import time
from collections.abc import Callable

import keras
import optuna
import tensorflow as tf

from objectives.architectures import check_feasible
from objectives.config import TrainingConfig, TrialConfig
from objectives.data.prepared import PreparedData
from objectives.errors import InfeasibleConfiguration, TimeUp, TrialFailure
from objectives.machine.memory import check_fits_memory
from objectives.tflite.probe import measure_int8
from objectives.training.cross_validation import CrossValidationResult, cross_validate
from search.backend.garbage import after_trial
from search.scheduler.early_stopping import FoldPruner
from search.scheduler.time_budget import TimeBudget
from search.study import (SystemAttr, TrialAttr, record_failure, record_pruned, record_result, record_start,
                          set_system_attr)
from spaces.space import SearchSpace
from spaces.suggest import suggest_config

# A trial that raises one of these failed for a reason of its own; the study goes on.
TRIAL_FAILURES = (TrialFailure, tf.errors.ResourceExhaustedError)


def set_constraints(trial: optuna.Trial, constraints: dict[str, float]) -> None:
    """Optuna's constraints (> 0: violated), read by TPE and NSGA-II, which then learn the region is infeasible."""
    for key, value in constraints.items():
        trial.set_constraint(key, value)
    # optuna-dashboard 0.21 ignores set_constraint and reads feasibility only from this older system attribute
    set_system_attr(trial, SystemAttr.CONSTRAINTS, list(constraints.values()))


def refuse_infeasible(trial: optuna.Trial, error: InfeasibleConfiguration) -> optuna.TrialPruned:
    """A configuration that cannot be built or trained here, recorded as infeasible and never trained.

    As a FAIL it taught the samplers nothing (they skip failed trials), and TPE kept proposing it: 6 of 48
    trials of a 7-minute default digits study were plain networks with 2-3 valid-padding blocks at 8 px.
    PRUNED with a violated constraint, TPE counts it among its worst trials and moves away from it."""
    set_constraints(trial, {"feasible": 1.0})
    reason = f"infeasible, not trained: {error}"
    record_pruned(trial, reason)
    return optuna.TrialPruned(reason)


class Objective:
    """Callable for ``study.optimize``: returns (mean CV accuracy, parameter count)."""

    def __init__(self, space: SearchSpace, data: PreparedData, training: TrainingConfig,
                 on_trained: Callable[[optuna.Trial], None] | None = None, early_stopping: bool = True,
                 time_budget: TimeBudget | None = None):
        """``on_trained`` runs once results are stored, while the trial can still take artifacts."""
        self.space, self.data, self.training = space, data, training
        self.folds = data.folds(training.folds, training.seed)
        self.on_trained = on_trained
        self.early_stopping = early_stopping
        self.time_budget = time_budget
        self.trials = 0

    def check_time(self, trial: optuna.Trial, config: TrialConfig, result: CrossValidationResult) -> None:
        """A trial the time left cannot hold is not trained (PRUNED with its estimate: TPE learns from it)."""
        if self.time_budget is None:
            return
        epoch_images = config.training.epochs * sum(len(train) for train, _ in self.folds)
        reason = self.time_budget.too_long(trial.study, result.macs, epoch_images)
        if reason:
            trial.set_user_attr(TrialAttr.PARAMS, result.params)
            trial.set_user_attr(TrialAttr.MACS, result.macs)
            record_pruned(trial, reason)
            raise optuna.TrialPruned(reason)

    def check_budgets(self, trial: optuna.Trial, config: TrialConfig, model: keras.Model,
                      result: CrossValidationResult) -> None:
        """Record the device-budget constraints of the built model; over budget, stop before training.

        The parameter count (and the size bound it gives) is free; only a configuration within those is
        converted to int8 to measure its size and latency. A model too large to train here fails first."""
        check_fits_memory(model, config.training.batch_size, config.image_size)
        budgets = self.space.budgets
        int8 = None
        if budgets.needs_int8_model and not budgets.violations(result.params, macs=result.macs):
            int8 = measure_int8(model, self.data.search_images(config.image_size), config.training.seed)
            trial.set_user_attr(TrialAttr.INT8_UNTRAINED,
                                {"kb": round(int8.kb, 2), "latency_ms": round(int8.latency_ms, 4)})
        constraints = budgets.constraints(result.params, int8, result.macs)
        if not constraints:
            return
        set_constraints(trial, constraints)
        violations = budgets.violations(result.params, int8, result.macs)
        if violations:
            trial.set_user_attr(TrialAttr.PARAMS, result.params)
            trial.set_user_attr(TrialAttr.MACS, result.macs)
            reason = "over budget before training: " + "; ".join(violations)
            record_pruned(trial, reason)
            raise optuna.TrialPruned(reason)

    def on_built(self, trial: optuna.Trial, config: TrialConfig, model: keras.Model,
                 result: CrossValidationResult) -> None:
        """Before any training: the device budgets, then the time left."""
        self.check_budgets(trial, config, model, result)
        self.check_time(trial, config, result)

    def __call__(self, trial: optuna.Trial) -> tuple[float, int]:
        started = time.perf_counter()
        config = suggest_config(trial, self.space, self.training)
        record_start(trial, config)
        try:
            check_feasible(config.architecture, config.image_size)
            pruner = FoldPruner(trial.study, trial, len(self.folds)) if self.early_stopping else None
            deadline = self.time_budget.deadline.search_end(trial.study) if self.time_budget else None
            result = cross_validate(config, self.data.search_images(config.image_size), self.data.search_labels,
                                    len(self.data.class_names), self.folds, on_fold=pruner,
                                    on_built=lambda model, built: self.on_built(trial, config, model, built),
                                    deadline=deadline)
        except InfeasibleConfiguration as error:
            raise refuse_infeasible(trial, error) from None
        except (*TRIAL_FAILURES, TimeUp) as error:
            record_failure(trial, error)
            raise
        finally:
            # A long study would otherwise keep every trial's graph; dropped, its objects are garbage that the
            # next full collection frees, every few trials (search.backend.garbage).
            self.trials += 1
            keras.backend.clear_session(free_memory=False)
            after_trial(self.trials)
        record_result(trial, result)
        trial.set_user_attr(TrialAttr.TRIAL_SECONDS, round(time.perf_counter() - started, 3))
        if self.on_trained is not None:
            self.on_trained(trial)
        return result.mean_accuracy, result.params
