"""What a trial stores about itself: the names of its attributes, what the objective writes under them, and
what several modules read back. The Optuna storage alone must be enough to rebuild any record of a trial
(MLflow, reports, exports, benchmarks), so a stored name never changes: studies already written read by it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from objectives.architectures.registry import describe
from objectives.config import TrialConfig

if TYPE_CHECKING:  # a type only: the views that read trials need not load TensorFlow
    from objectives.training.cross_validation import CrossValidationResult

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)  # states a trial does not leave


class TrialAttr:
    """User attributes of a trial: the names under which the objective stores it."""

    # As the trial starts (record_start), so a trial that fails or dies still says what it tried
    CONFIG = "config"  # dict: TrialConfig.to_dict() of the configuration trained
    DESCRIPTION = "description"  # str: the trial's one-line label (objectives.architectures.registry.describe)
    IMAGE_SIZE = "image_size"  # int: input side, pixels
    EPOCHS = "epochs"  # int: epochs per fold
    INT8_UNTRAINED = "int8_untrained"  # dict: {"kb", "latency_ms"} of the untrained model as int8, when budgets need it
    # After the folds trained so far (record_progress): complete and early-stopped trials
    PARAMS = "params"  # int: the model's parameter count
    MACS = "macs"  # int: multiply-accumulates of one inference on one image (objectives.budgets.macs)
    FOLD_ACCURACIES = "fold_accuracies"  # list[float]: validation accuracy of each fold trained
    FIT_SECONDS = "fit_seconds"  # float: seconds inside Keras fit, over the folds trained
    # float: seconds fitting and evaluating the folds trained (building excluded); an early-stopped trial keeps
    # it too, or the benchmark would count its validation time as overhead
    TRAINING_SECONDS = "training_seconds"
    EPOCH_IMAGES = "epoch_images"  # int: compute spent, epochs x training images over the folds trained
    # Once every fold trained (record_result)
    CV_ACCURACY_STD = "cv_accuracy_std"  # float: standard deviation of the fold accuracies
    BUILD_SECONDS = "build_seconds"  # float: seconds building the model
    LEARNING_CURVES = "learning_curves"  # list[dict[str, list[float]]]: per fold, "epoch" numbers and metrics there
    MODEL_SUMMARY = "model_summary"  # str: Keras model.summary() text
    TRIAL_SECONDS = "trial_seconds"  # float: wall seconds of the whole objective call
    # On a stop (record_failure, record_pruned, record_out_of_reach)
    FAIL_REASON = "fail_reason"  # str: "<error class>: <message>" of a failure the study goes on after
    PRUNED_REASON = "pruned_reason"  # str: why the trial stopped early (over a budget before training, or out of reach)
    PRUNED_AFTER_FOLD = "pruned_after_fold"  # int: folds trained when early stopping ruled the trial out
    PRUNED_BOUND = "pruned_bound"  # float: the highest mean CV accuracy the trial could still reach then
    PRUNED_AT_RUNG = "pruned_at_rung"  # int: folds after which its Pareto rank among its peers stopped it
    # str: what stopped a trial that was then queued again ("SIGINT", "SIGTERM", "SIGHUP", INTERRUPTED_BY_DEADLINE
    # or INTERRUPTED_BY_DEATH); set while it is RUNNING, before it is failed, and never copied to its retry
    INTERRUPTED = "interrupted"


INTERRUPTED_BY_DEADLINE = "the time budget"
INTERRUPTED_BY_DEATH = "its process ending (killed or crashed)"


class SystemAttr:
    """System attributes of a trial that this service reads or writes; most are Optuna's own."""

    FAILED_TRIAL = "failed_trial"  # int: Optuna's retry marker, the number of the first trial a retry re-runs
    RETRY_HISTORY = "retry_history"  # list[int]: Optuna's, the trials a retry re-runs, the one it replaces last
    FAIL_REASON = "fail_reason"  # str: Optuna's own record of a crash (older Optuna versions wrote it)
    CONSTRAINTS = "constraints"  # list[float]: constraint values (> 0: violated), as optuna-dashboard 0.21 reads them
    WORKER = "worker"  # dict: {"host", "boot", "pid", "started"} of the process running the trial


def record_start(trial: optuna.Trial, config: TrialConfig) -> None:
    """What the trial is, stored before anything can fail."""
    trial.set_user_attr(TrialAttr.CONFIG, config.to_dict())
    trial.set_user_attr(TrialAttr.DESCRIPTION, describe(config))
    trial.set_user_attr(TrialAttr.IMAGE_SIZE, config.image_size)
    trial.set_user_attr(TrialAttr.EPOCHS, config.training.epochs)


def record_progress(trial: optuna.Trial, result: CrossValidationResult) -> None:
    """What the folds trained so far measured and cost; kept by complete and early-stopped trials alike."""
    trial.set_user_attr(TrialAttr.FOLD_ACCURACIES, result.accuracies)
    trial.set_user_attr(TrialAttr.PARAMS, result.params)
    trial.set_user_attr(TrialAttr.MACS, result.macs)
    trial.set_user_attr(TrialAttr.FIT_SECONDS, round(result.fit_seconds, 3))
    trial.set_user_attr(TrialAttr.TRAINING_SECONDS, round(result.training_seconds, 3))
    trial.set_user_attr(TrialAttr.EPOCH_IMAGES, result.epoch_images)


def record_result(trial: optuna.Trial, result: CrossValidationResult) -> None:
    record_progress(trial, result)
    trial.set_user_attr(TrialAttr.CV_ACCURACY_STD, result.std_accuracy)
    trial.set_user_attr(TrialAttr.BUILD_SECONDS, round(result.build_seconds, 3))
    trial.set_user_attr(TrialAttr.LEARNING_CURVES, [fold.history for fold in result.folds])
    trial.set_user_attr(TrialAttr.MODEL_SUMMARY, result.model_summary)


def record_failure(trial: optuna.Trial, error: BaseException) -> None:
    """A failure of the trial's own (the study goes on), in one line: Optuna keeps no reason of its own now."""
    trial.set_user_attr(TrialAttr.FAIL_REASON, f"{error.__class__.__name__}: {error}")


def record_interrupted(trial: optuna.Trial, cause: str) -> None:
    """What stopped the trial from outside (a signal, the deadline): it is failed and queued again next."""
    trial.set_user_attr(TrialAttr.INTERRUPTED, cause)


def record_pruned(trial: optuna.Trial, reason: str) -> None:
    """Why the trial stops early; the caller then raises ``optuna.TrialPruned``."""
    trial.set_user_attr(TrialAttr.PRUNED_REASON, reason)


def record_out_of_reach(trial: optuna.Trial, result: CrossValidationResult, bound: float, reason: str) -> None:
    """Early stopping: what the folds so far measured, and the bound that ruled the trial out after them."""
    record_progress(trial, result)
    trial.set_user_attr(TrialAttr.PRUNED_BOUND, bound)
    trial.set_user_attr(TrialAttr.PRUNED_AFTER_FOLD, len(result.folds))
    record_pruned(trial, reason)


def record_rung(trial: optuna.Trial, result: CrossValidationResult) -> None:
    """The folds so far, where workers ranking a rung read them (``search.scheduler.promotion``)."""
    trial.set_user_attr(TrialAttr.FOLD_ACCURACIES, result.accuracies)
    trial.set_user_attr(TrialAttr.PARAMS, result.params)


def record_rung_stop(trial: optuna.Trial, result: CrossValidationResult, reason: str) -> None:
    """Multi-fidelity: what the folds so far measured, and the rung whose ranking stopped the trial."""
    record_progress(trial, result)
    trial.set_user_attr(TrialAttr.PRUNED_AFTER_FOLD, len(result.folds))
    trial.set_user_attr(TrialAttr.PRUNED_AT_RUNG, len(result.folds))
    record_pruned(trial, reason)


def config_dict(trial: FrozenTrial) -> dict[str, Any]:
    """The configuration as stored, for views that read it as plain data ({} before the trial recorded it)."""
    return trial.user_attrs.get(TrialAttr.CONFIG, {})


def trial_config(trial: FrozenTrial) -> TrialConfig:
    """The configuration to rebuild the trial's model from (a trial that trained always recorded it)."""
    return TrialConfig.from_dict(trial.user_attrs[TrialAttr.CONFIG])


def description(trial: FrozenTrial | optuna.Trial) -> str:
    """The trial's one-line label ('' before the trial recorded it)."""
    return trial.user_attrs.get(TrialAttr.DESCRIPTION, "")


def retry_of(trial: FrozenTrial) -> int | None:
    """The trial a heartbeat retry re-runs (the first of a chain of retries); None for a trial's first run."""
    return trial.system_attrs.get(SystemAttr.FAILED_TRIAL)


def replacements(trials: list[FrozenTrial]) -> dict[int, int]:
    """Trial number -> the number of the retry queued in its place (Optuna's retry history names it last)."""
    return {t.system_attrs[SystemAttr.RETRY_HISTORY][-1]: t.number for t in trials
            if t.system_attrs.get(SystemAttr.RETRY_HISTORY)}


def state_name(trial: FrozenTrial) -> str:
    """The trial's state in the words every view shows: an interrupted trial is not a failed one."""
    return "INTERRUPTED" if trial.state == TrialState.FAIL and TrialAttr.INTERRUPTED in trial.user_attrs \
        else trial.state.name


def stop_reason(trial: FrozenTrial, replaced_by: int | None = None) -> str:
    """Why a trial did not complete, as recorded by the objective (or by Optuna for a crash); for a trial
    queued again, the number of the retry (``replacements``) that runs in its place."""
    attrs = trial.user_attrs
    again = f"queued again as trial {replaced_by}" if replaced_by is not None else ""
    if TrialAttr.INTERRUPTED in attrs:
        return "; ".join(filter(None, [f"by {attrs[TrialAttr.INTERRUPTED]}", again]))
    reason = attrs.get(TrialAttr.FAIL_REASON) or attrs.get(TrialAttr.PRUNED_REASON) or \
        trial.system_attrs.get(SystemAttr.FAIL_REASON, "")
    if not reason and again:  # failed by the heartbeat: its process stopped beating
        reason = "its process stopped sending heartbeats"
    return "; ".join(filter(None, [reason, again]))
