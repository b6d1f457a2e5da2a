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
from objectives.errors import TrialFailure
from objectives.memory import check_fits_memory
from objectives.prepared import PreparedData
from objectives.tflite.probe import measure_int8
from objectives.training import CrossValidationResult, cross_validate
from search.early_stopping import FoldPruner
from search.garbage import after_trial
from search.study import SystemAttr, TrialAttr, record_failure, record_pruned, record_result, record_start
from spaces.space import SearchSpace
from spaces.suggest import suggest_config

# A trial that raises one of these failed for a reason of its own; the study goes on.
TRIAL_FAILURES = (TrialFailure, tf.errors.ResourceExhaustedError)


class Objective:
    """Callable for ``study.optimize``: returns (mean CV accuracy, parameter count)."""

    def __init__(self, space: SearchSpace, data: PreparedData, training: TrainingConfig,
                 on_trained: Callable[[optuna.Trial], None] | None = None, early_stopping: bool = True):
        """``on_trained`` runs once results are stored, while the trial can still take artifacts."""
        self.space, self.data, self.training = space, data, training
        self.folds = data.folds(training.folds, training.seed)
        self.on_trained = on_trained
        self.early_stopping = early_stopping
        self.trials = 0

    def check_budgets(self, trial: optuna.Trial, config: TrialConfig, model: keras.Model,
                      result: CrossValidationResult) -> None:
        """Record the device-budget constraints of the built model; over budget, stop before training.

        The parameter count (and the size bound it gives) is free; only a configuration within those is
        converted to int8 to measure its size and latency. A model too large to train here fails first."""
        check_fits_memory(model, config.training.batch_size, config.image_size)
        budgets = self.space.budgets
        int8 = None
        if budgets.needs_int8_model and not budgets.violations(result.params):
            int8 = measure_int8(model, self.data.search_images(config.image_size), config.training.seed)
            trial.set_user_attr(TrialAttr.INT8_UNTRAINED,
                                {"kb": round(int8.kb, 2), "latency_ms": round(int8.latency_ms, 4)})
        constraints = budgets.constraints(result.params, int8)
        if not constraints:
            return
        for key, value in constraints.items():
            trial.set_constraint(key, value)
        # optuna-dashboard 0.21 ignores set_constraint and reads feasibility only from this older system attribute
        trial.storage.set_trial_system_attr(trial._trial_id, SystemAttr.CONSTRAINTS, list(constraints.values()))
        violations = budgets.violations(result.params, int8)
        if violations:
            trial.set_user_attr(TrialAttr.PARAMS, result.params)
            reason = "over budget before training: " + "; ".join(violations)
            record_pruned(trial, reason)
            raise optuna.TrialPruned(reason)

    def __call__(self, trial: optuna.Trial) -> tuple[float, int]:
        started = time.perf_counter()
        config = suggest_config(trial, self.space, self.training)
        record_start(trial, config)
        try:
            check_feasible(config.architecture, config.image_size)
            pruner = FoldPruner(trial.study, trial, len(self.folds)) if self.early_stopping else None
            result = cross_validate(config, self.data.search_images(config.image_size), self.data.search_labels,
                                    len(self.data.class_names), self.folds, on_fold=pruner,
                                    on_built=lambda model, built: self.check_budgets(trial, config, model, built))
        except TRIAL_FAILURES as error:
            record_failure(trial, error)
            raise
        finally:
            # A long study would otherwise keep every trial's graph; dropped, its objects are garbage that the
            # next full collection frees, every few trials (search.garbage).
            self.trials += 1
            keras.backend.clear_session(free_memory=False)
            after_trial(self.trials)
        record_result(trial, result)
        trial.set_user_attr(TrialAttr.TRIAL_SECONDS, round(time.perf_counter() - started, 3))
        if self.on_trained is not None:
            self.on_trained(trial)
        return result.mean_accuracy, result.params
