"""One benchmark run's measurements as a JSON file, so the report can be rewritten without re-training."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import optuna
from optuna.trial import TrialState

from bench.hypervolume import Reference, front
from bench.measure import curve, overhead, replay_early_stopping

REPLAYED_MARGINS = (0.05, 0.1, 0.2, 1.0)  # 1.0: the certain bound


@dataclass
class RunResult:
    dataset: str
    method: str
    seed: int
    study: str
    reference: dict  # Reference as a dict
    curve: list[dict]  # CurvePoint as dicts, in the order the trials finished
    overhead: dict
    states: dict[str, int]
    front: list[list]  # final (accuracy, params) front
    replay: dict | None = None  # early stopping replayed per margin ("0.1", "1.0"), for runs that trained every fold
    settings: dict = field(default_factory=dict)

    @property
    def final_hypervolume(self) -> float:
        return self.curve[-1]["hypervolume"] if self.curve else 0.0

    @property
    def compute(self) -> int:
        return self.curve[-1]["compute"] if self.curve else 0

    @property
    def wall_seconds(self) -> float:
        return self.curve[-1]["wall_seconds"] if self.curve else 0.0


def measure(study: optuna.Study, dataset: str, method: str, seed: int, reference: Reference,
            trained_every_fold: bool, settings: dict) -> RunResult:
    states: dict[str, int] = {}
    for trial in study.get_trials(deepcopy=False):
        states[trial.state.name] = states.get(trial.state.name, 0) + 1
    points = [(t.values[0], int(t.values[1])) for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))]
    cost = overhead(study)
    return RunResult(
        dataset=dataset, method=method, seed=seed, study=study.study_name, reference=asdict(reference),
        curve=[asdict(p) for p in curve(study, reference)],
        overhead={**asdict(cost), "share_outside_fit": cost.share_outside_fit,
                  "share_outside_cv": cost.share_outside_cv},
        states=states, front=[list(p) for p in front(points)],
        replay={str(m): asdict(replay_early_stopping(study, reference, m))
                for m in REPLAYED_MARGINS} if trained_every_fold else None,
        settings=settings,
    )


def result_path(folder: Path, dataset: str, method: str, seed: int) -> Path:
    return Path(folder) / f"{dataset}-{method.replace('+', '-')}-seed{seed}.json"


def save(result: RunResult, folder: Path) -> Path:
    path = result_path(folder, result.dataset, result.method, result.seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(result), indent=1))
    return path


def load_all(folder: Path) -> list[RunResult]:
    """Only the files `result_path` names: the real-photo case keeps its own JSON (photos-*.json) beside them."""
    return [RunResult(**json.loads(path.read_text())) for path in sorted(Path(folder).glob("*-seed*.json"))]
