"""``python -m bench.schedules``: how training settings trade accuracy for time on tiny networks.

The measurement behind the default training (40 epochs, Adam with a searched peak rate decaying along a
cosine): plain CNNs from 386 to 9,546 parameters on the bundled digits at their native 8x8, 5-fold CV
on the study's search split, through the service's own ``cross_validate``, each under several schedules.
One TensorFlow thread; times are whole cross-validations on this machine.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from objectives.config import TEST_FRACTION, ArchitectureConfig, TrainingConfig, TrialConfig

NETWORKS = {  # filters, neurons: tiny to the largest the default front needs
    "2 filters, softmax": ArchitectureConfig("plain", (2,), (), padding="same"),
    "4 filters, softmax": ArchitectureConfig("plain", (4,), (), padding="same"),
    "8/16 filters, softmax": ArchitectureConfig("plain", (8, 16), (), padding="same"),
    "16/32 filters, Dense 32": ArchitectureConfig("plain", (16, 32), (32,), padding="same"),
}
SCHEDULES = {  # (epochs, schedule, peak or constant rate)
    "old default: 5 epochs, constant 0.001": (5, "constant", 0.001),
    "recipe-like: 60 epochs, constant 0.003": (60, "constant", 0.003),
    "20 epochs, cosine from 0.01": (20, "cosine", 0.01),
    "40 epochs, cosine from 0.003": (40, "cosine", 0.003),
    "40 epochs, cosine from 0.01": (40, "cosine", 0.01),
    "40 epochs, cosine from 0.02": (40, "cosine", 0.02),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.schedules", description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=Path("cache"))
    args = parser.parse_args(argv)

    from search.cli import quiet_libraries
    from search.runner.run import limit_threads

    quiet_libraries()
    limit_threads(1)
    from objectives.data.digits import digits_folder
    from objectives.data.prepared import prepare
    from objectives.training.cross_validation import cross_validate

    data = prepare(digits_folder(args.cache), args.cache, [8], TEST_FRACTION, TrainingConfig().seed)
    images, labels = data.search_images(8), data.search_labels
    folds = data.folds(args.folds, 0)
    print(f"| network | params | {' | '.join(SCHEDULES)} |")
    print("|---|---:|" + "---|" * len(SCHEDULES))
    for name, architecture in NETWORKS.items():
        cells, params = [], 0
        for epochs, schedule, rate in SCHEDULES.values():
            training = replace(TrainingConfig(), epochs=epochs, schedule=schedule, learning_rate=rate, folds=args.folds)
            started = time.perf_counter()
            result = cross_validate(TrialConfig(8, 1, architecture, training), images, labels, len(data.class_names),
                                    folds)
            params = result.params
            cells.append(f"{result.mean_accuracy:.3f} ({time.perf_counter() - started:.0f} s)")
        print(f"| {name} | {params:,} | {' | '.join(cells)} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
