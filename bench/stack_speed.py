"""``python -m bench.stack_speed``: what the installed stack costs a trial, to compare stacks (e.g. protobuf pins).

On Python 3.11 protobuf 3.20.3 exists only as pure Python, and TensorFlow builds its graphs through
protobuf messages, so a trial's first fit (build, compile, trace, train) pays for it; 5.29 has the C
(upb) backend. This measures, on the bundled digits at 32 px (the default space's smallest size):

- per architecture family, a model's first fit of one epoch against a second fit of the same model
  from its restored initial state: the difference is the one-time tracing and graph building;
- the wall time of a default trial: the recipe's Model 1 (the first trial of every default study),
  generator 1, the default folds and epochs, build included.

Each is repeated (``--repeats``) and the median printed, with the protobuf version and backend.
A warm-up fit first takes TensorFlow's once-per-process start-up out of the first family's figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from objectives.config import TEST_FRACTION, ArchitectureConfig, TrainingConfig, TrialConfig

SIZE = 32
# Middling members of each family of the default space (spaces/default.yaml).
FAMILIES = {
    "plain": ArchitectureConfig("plain", (30,), (50,)),
    "mobilenet": ArchitectureConfig("mobilenet", (16, 32, 64), (32,)),
    "mobilenetv2": ArchitectureConfig("mobilenetv2", (8, 16), (32,), expansion=4),
    "shufflenet": ArchitectureConfig("shufflenet", (8, 16), (32,), groups=2),
}
MODEL_1 = ArchitectureConfig("plain", (30,), (50,))  # the recipe's Model 1, the default study's first trial


def first_and_second_fit(config: TrialConfig, images, labels) -> tuple[float, float]:
    """Seconds of (build + compile + first fit) and of a second fit from the restored initial state."""
    from objectives.training.cross_validation import FreshStart, compiled_model, fit, steps_per_epoch

    started = time.perf_counter()
    model = compiled_model(config, int(labels.max()) + 1, steps_per_epoch([len(images)], config.training.batch_size))
    fresh = FreshStart(model)
    fit(model, config, images, labels)
    first = time.perf_counter() - started
    fresh.restore()
    started = time.perf_counter()
    fit(model, config, images, labels)
    return first, time.perf_counter() - started


def default_trial_seconds(data) -> float:
    """Wall time of the default study's first trial: Model 1, the default folds and epochs, build included."""
    from objectives.training.cross_validation import cross_validate

    training = TrainingConfig()
    started = time.perf_counter()
    cross_validate(TrialConfig(SIZE, 1, MODEL_1, training), data.search_images(SIZE), data.search_labels,
                   len(data.class_names), data.folds(training.folds, training.seed))
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stack_speed", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="(default: %(default)s)")
    parser.add_argument("--cache", type=Path, default=Path("cache"), help="(default: %(default)s)")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    import google.protobuf
    import keras
    from google.protobuf.internal import api_implementation

    from objectives.data.digits import digits_folder
    from objectives.data.prepared import prepare
    from search.cli import quiet_libraries

    quiet_libraries()
    data = prepare(digits_folder(args.cache), args.cache, [SIZE], TEST_FRACTION, TrainingConfig().seed)
    images, labels = data.search_images(SIZE), data.search_labels
    one_epoch = TrainingConfig(epochs=1)
    first_and_second_fit(TrialConfig(SIZE, 1, ArchitectureConfig("plain", (4,), (8,)), one_epoch), images, labels)
    keras.backend.clear_session()

    print(f"protobuf {google.protobuf.__version__} ({api_implementation.Type()} backend); digits at {SIZE} px, "
          f"{len(images)} training images; medians of {args.repeats}")
    print(f"{'family':<12} {'first fit s':>11} {'second fit s':>12} {'tracing s':>9}")
    for family, architecture in FAMILIES.items():
        runs = []
        for _ in range(args.repeats):
            runs.append(first_and_second_fit(TrialConfig(SIZE, 1, architecture, one_epoch), images, labels))
            keras.backend.clear_session()
        first = statistics.median(r[0] for r in runs)
        second = statistics.median(r[1] for r in runs)
        tracing = statistics.median(r[0] - r[1] for r in runs)
        print(f"{family:<12} {first:>11.2f} {second:>12.2f} {tracing:>9.2f}", flush=True)
    trials = []
    for _ in range(args.repeats):
        trials.append(default_trial_seconds(data))
        keras.backend.clear_session()
    training = TrainingConfig()
    print(f"default trial (Model 1, {SIZE} px, G1, {training.folds} folds x {training.epochs} epochs): "
          f"{statistics.median(trials):.2f} s "
          f"(runs: {', '.join(f'{t:.1f}' for t in trials)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
